"""Dump the vAPI binding types of the operations mockcloud serves, from the official SDK, as compact JSON.

Output: {"ops": {"<service>#<op>": {"in": {field: T}, "out": T}}, "structs": {name: [[field, T], ...]}}
T is "string" | "bool" | "long" | "double" | "secret" | "datetime" | "uri" | "id" | "enum" | "void" | "binary"
   | "dynamic" | "opaque" | "error" | {"opt": T} | {"list": T} | {"set": T} | {"map": [T, T]} | {"struct": name}
"""
import json, requests, sys
from vmware.vapi.bindings import type as t
from vmware.vapi.lib.connect import get_requests_connector
from vmware.vapi.stdlib.client.factories import StubConfigurationFactory
import importlib

SERVICES = [
    ("com.vmware.cis_client", "_SessionStub", "com.vmware.cis.session"),
    ("com.vmware.content_client", "_LibraryStub", "com.vmware.content.library"),
    ("com.vmware.content_client", "_LocalLibraryStub", "com.vmware.content.local_library"),
    ("com.vmware.content.library_client", "_ItemStub", "com.vmware.content.library.item"),
    ("com.vmware.content.library.item_client", "_UpdateSessionStub", "com.vmware.content.library.item.update_session"),
    ("com.vmware.content.library.item_client", "_FileStub", "com.vmware.content.library.item.file"),
    ("com.vmware.content.library.item_client", "_StorageStub", "com.vmware.content.library.item.storage"),
    ("com.vmware.content.library.item.updatesession_client", "_FileStub", "com.vmware.content.library.item.updatesession.file"),
    ("com.vmware.vcenter.ovf_client", "_LibraryItemStub", "com.vmware.vcenter.ovf.library_item"),
    ("com.vmware.vcenter_client", "_VMStub", "com.vmware.vcenter.VM"),
    ("com.vmware.vcenter_client", "_DatacenterStub", "com.vmware.vcenter.datacenter"),
    ("com.vmware.vcenter_client", "_FolderStub", "com.vmware.vcenter.folder"),
    ("com.vmware.vcenter_client", "_ResourcePoolStub", "com.vmware.vcenter.resource_pool"),
    ("com.vmware.vcenter_client", "_HostStub", "com.vmware.vcenter.host"),
    ("com.vmware.vcenter_client", "_DatastoreStub", "com.vmware.vcenter.datastore"),
    ("com.vmware.vcenter_client", "_NetworkStub", "com.vmware.vcenter.network"),
    ("com.vmware.vcenter_client", "_ClusterStub", "com.vmware.vcenter.cluster"),
]
OPS = {"com.vmware.cis.session": ["create", "delete", "get"],
       "com.vmware.content.library": ["list", "get", "find", "delete", "update"],
       "com.vmware.content.local_library": ["create", "get", "list", "delete", "update"],
       "com.vmware.content.library.item": ["create", "list", "get", "find", "delete", "update"],
       "com.vmware.content.library.item.update_session": ["create", "get", "list", "complete", "cancel", "fail", "keep_alive", "delete"],
       "com.vmware.content.library.item.file": ["list", "get"],
       "com.vmware.content.library.item.storage": ["list", "get"],
       "com.vmware.content.library.item.updatesession.file": ["add", "list", "get", "validate", "remove"],
       "com.vmware.vcenter.ovf.library_item": ["create", "filter", "deploy"],
       "com.vmware.vcenter.VM": ["list", "get", "delete"]}
structs = {}

def conv(bt):
    bt = bt.resolved_type if isinstance(bt, t.ReferenceType) else bt
    simple = {t.StringType: "string", t.BooleanType: "bool", t.IntegerType: "long", t.DoubleType: "double",
              t.SecretType: "secret", t.DateTimeType: "datetime", t.URIType: "uri", t.IdType: "id",
              t.VoidType: "void", t.BlobType: "binary", t.OpaqueType: "opaque", t.AnyErrorType: "error"}
    for k, v in simple.items():
        if type(bt) is k:
            return v
    if isinstance(bt, t.EnumType): return "enum"
    if isinstance(bt, t.OptionalType): return {"opt": conv(bt.element_type)}
    if isinstance(bt, t.ListType): return {"list": conv(bt.element_type)}
    if isinstance(bt, t.SetType): return {"set": conv(bt.element_type)}
    if isinstance(bt, t.MapType): return {"map": [conv(bt.key_type), conv(bt.value_type)]}
    if isinstance(bt, t.DynamicStructType): return "dynamic"
    if isinstance(bt, t.StructType):
        name = bt.name
        if name not in structs:
            structs[name] = None
            structs[name] = [[f, conv(bt.get_field(f))] for f in bt.get_field_names()]
        return {"struct": name}
    raise Exception("unknown binding type %r" % bt)

cfg = StubConfigurationFactory.new_std_configuration(get_requests_connector(session=requests.Session(), url="http://127.0.0.1:1/api"))
out = {}
for mod, stub, svc in SERVICES:
    s = getattr(importlib.import_module(mod), stub)(cfg)
    for op in OPS.get(svc, ["list"]):
        o = s._operations[op]
        inp = o["input_type"]
        out[svc + "#" + op] = {"in": {f: conv(inp.get_field(f)) for f in inp.get_field_names()}, "out": conv(o["output_type"]),
                               "errors": sorted(o.get("errors", {}).keys())}
from com.vmware.vcenter import ovf_client
for cls in ["CertificateParams", "DeploymentOptionParams", "ExtraConfigParams", "IpAllocationParams", "OvfParams", "PropertyParams",
            "ScaleOutParams", "SizeParams", "UnknownSectionParams", "VcenterExtensionParams"]:
    conv(getattr(ovf_client, cls).get_binding_type())
from com.vmware.vapi.std import errors_client
conv(errors_client.Error.get_binding_type())
json.dump({"ops": out, "structs": structs}, sys.stdout, indent=None, separators=(",", ":"))
