"""Real-client check: the official vSphere Automation SDK for Python (vmware-vcenter 9.1.1.0,
vmware-vapi-runtime 9.1.1.0) talks JSON-RPC to mockcloud's POST /api, logs in, walks the inventory,
uploads an OVF into a new library item, filters and deploys it, and reads the deployed VM back.

Usage: python sdk_deploy.py http://127.0.0.1:PORT
Exit code 0 and a last line "OK ..." when every step behaved as a real vCenter would.
"""
import sys
import uuid

import requests
from com.vmware.cis_client import Session
from com.vmware.content.library.item import updatesession_client
from com.vmware.content.library.item_client import File as ItemFile
from com.vmware.content.library.item_client import Storage, UpdateSession, UpdateSessionModel
from com.vmware.content.library_client import Item, ItemModel, StorageBacking
from com.vmware.content_client import Library, LibraryModel, LocalLibrary
from com.vmware.vapi.std.errors_client import InvalidArgument, NotFound, Unauthenticated
from com.vmware.vcenter.ovf_client import LibraryItem
from com.vmware.vcenter.vm_client import Power
from com.vmware.vcenter_client import VM, Cluster, Datacenter, Datastore, Folder, Host, Network, ResourcePool
from vmware.vapi.lib.connect import get_requests_connector
from vmware.vapi.security.session import create_session_security_context
from vmware.vapi.security.user_password import create_user_password_security_context
from vmware.vapi.stdlib.client.factories import StubConfigurationFactory

OVF = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:href="sdk-disk-0.vmdk" ovf:id="file1" ovf:size="1048576"/></References>
  <DiskSection><Info>disks</Info><Disk ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^30" ovf:diskId="vmdisk1" ovf:fileRef="file1"/></DiskSection>
  <NetworkSection><Info>nets</Info><Network ovf:name="frontend"/></NetworkSection>
  <VirtualSystem ovf:id="sdk-appliance">
    <Info>vm</Info><Name>sdk-appliance</Name>
    <AnnotationSection><Info>a</Info><Annotation>Uploaded by the Python SDK</Annotation></AnnotationSection>
    <EulaSection><Info>e</Info><License>Accept me.</License></EulaSection>
    <VirtualHardwareSection><Info>hw</Info>
      <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>4</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>8192</rasd:VirtualQuantity></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""


def check(cond, what):
    if not cond:
        print("FAIL", what)
        sys.exit(1)
    print("ok  ", what)


def expect_error(exc_type, what, fn):
    try:
        fn()
    except exc_type as e:
        check(bool(e.messages) and bool(e.messages[0].default_message), what + " (" + exc_type.__name__ + ")")
        return
    except Exception as e:  # noqa: BLE001 - any other exception is a failure of the emulator
        check(False, "%s: got %s %s" % (what, type(e).__name__, e))
    check(False, what + ": no error raised")


def main(base):
    url = base.rstrip("/") + "/api"
    http = requests.Session()

    def config(sec_ctx):
        c = StubConfigurationFactory.new_std_configuration(get_requests_connector(session=http, url=url))
        c.connector.set_security_context(sec_ctx)
        return c

    expect_error(Unauthenticated, "login with a wrong password is refused",
                 lambda: Session(config(create_user_password_security_context("administrator@vsphere.local", "wrong"))).create())
    sid = Session(config(create_user_password_security_context("administrator@vsphere.local", "VMware1!"))).create()
    check(isinstance(sid, str) and len(sid) == 32, "login returns a 32-hex session id")
    cfg = config(create_session_security_context(sid))
    info = Session(cfg).get()
    check("administrator" in info.user.lower(), "session get names the user")

    dcs = Datacenter(cfg).list(Datacenter.FilterSpec(names={"DC0"}))
    check(len(dcs) == 1, "datacenter list filtered by name")
    pools = ResourcePool(cfg).list(ResourcePool.FilterSpec(datacenters={dcs[0].datacenter}))
    pool = [p for p in pools if p.name == "Resources"][0].resource_pool
    folders = Folder(cfg).list(Folder.FilterSpec(type=Folder.Type.VIRTUAL_MACHINE, names={"vm"}))
    check(len(folders) == 1, "VM folder found")
    nets = Network(cfg).list(Network.FilterSpec(names={"VM Network"}))
    check(len(nets) == 1 and nets[0].type == Network.Type.STANDARD_PORTGROUP, "network list")
    ds = Datastore(cfg).list()[0].datastore
    check(len(Host(cfg).list(Host.FilterSpec(standalone=True))) == 1, "standalone host list")
    check(Cluster(cfg).list()[0].drs_enabled, "cluster list")
    for fixture_vm in VM(cfg).list():
        VM(cfg).get(fixture_vm.vm)  # every fixture VM passes the SDK's union validation
    check(True, "VM.get of every fixture VM")

    # Seed flow against the fixture world.
    lib_ids = Library(cfg).find(Library.FindSpec(name="Templates"))
    check(len(lib_ids) == 1, "fixture library found")
    items = Item(cfg).find(Item.FindSpec(name="photon-web", library_id=lib_ids[0]))
    check(len(items) == 1, "fixture OVF item found")
    target = LibraryItem.DeploymentTarget(resource_pool_id=pool, folder_id=folders[0].folder)
    summary = LibraryItem(cfg).filter(items[0], target)
    check(summary.networks == ["VM Network"] and summary.eulas == [], "filter reports networks and no EULA")
    token = str(uuid.uuid4())
    spec = LibraryItem.ResourcePoolDeploymentSpec(name="sdk-web-01", accept_all_eula=True,
                                                  network_mappings={"VM Network": nets[0].network})
    res = LibraryItem(cfg).deploy(items[0], target, spec, client_token=token)
    check(res.succeeded and res.resource_id.type == "VirtualMachine", "deploy succeeded")
    again = LibraryItem(cfg).deploy(items[0], target, spec, client_token=token)
    check(again.resource_id.id == res.resource_id.id, "replayed client_token returns the same VM")
    vm = VM(cfg).get(res.resource_id.id)
    check(vm.name == "sdk-web-01" and vm.cpu.count == 2, "deployed VM readable with VM.get")
    listed = VM(cfg).list(VM.FilterSpec(names={"sdk-web-01"}))
    check(len(listed) == 1, "deployed VM listed once")
    expect_error(NotFound, "deploy of an unknown item", lambda: LibraryItem(cfg).deploy(str(uuid.uuid4()), target, spec))

    # Library flow: create, upload an OVF, complete, filter, deploy.
    lib = LocalLibrary(cfg).create(create_spec=LibraryModel(
        name="sdk-lib-" + token[:8], type=LibraryModel.LibraryType.LOCAL,
        storage_backings=[StorageBacking(type=StorageBacking.Type.DATASTORE, datastore_id=ds)]),
        client_token=str(uuid.uuid4()))
    item = Item(cfg).create(create_spec=ItemModel(library_id=lib, name="sdk-appliance", type="ovf"),
                            client_token=str(uuid.uuid4()))
    us = UpdateSession(cfg).create(create_spec=UpdateSessionModel(library_item_id=item), client_token=str(uuid.uuid4()))
    File = updatesession_client.File
    body = OVF.encode()
    info = File(cfg).add(us, File.AddSpec(name="sdk-appliance.ovf", source_type=File.SourceType.PUSH, size=len(body)))
    check(info.upload_endpoint.uri.startswith(base.rstrip("/")), "upload endpoint is on the server the client used")
    put = requests.put(info.upload_endpoint.uri, data=body,
                       headers={"Cache-Control": "no-cache", "Content-Length": str(len(body)), "Content-Type": "text/ovf"})
    check(put.status_code == 200, "PUT of the descriptor to the upload endpoint")
    v = File(cfg).validate(us)
    check(v.has_errors and "sdk-disk-0.vmdk" in v.missing_files, "validate lists the disk the OVF references")
    disk = b"\0" * 1024
    dinfo = File(cfg).add(us, File.AddSpec(name="sdk-disk-0.vmdk", source_type=File.SourceType.PUSH, size=len(disk)))
    requests.put(dinfo.upload_endpoint.uri, data=disk, headers={"Content-Type": "application/octet-stream"})
    check(not File(cfg).validate(us).has_errors, "validate is clean after the disk upload")
    UpdateSession(cfg).complete(us)
    UpdateSession(cfg).delete(us)
    check(UpdateSession(cfg).list() == [], "no update session left open")
    got = Item(cfg).get(item)
    check(len(ItemFile(cfg).list(item)) == 2 and len(Storage(cfg).list(item)) == 2, "item files and storage")
    check(Library(cfg).get(lib).name.startswith("sdk-lib-"), "library get")
    check(got.name == "sdk-appliance" and got.type == "ovf", "item get after upload")
    s2 = LibraryItem(cfg).filter(item, target)
    check(s2.eulas == ["Accept me."] and s2.networks == ["frontend"], "filter reads the uploaded descriptor")
    refused = LibraryItem(cfg).deploy(item, target, LibraryItem.ResourcePoolDeploymentSpec(
        name="sdk-app-01", accept_all_eula=False, network_mappings={"frontend": nets[0].network}))
    check(not refused.succeeded and len(refused.error.errors) >= 1, "unaccepted EULA gives succeeded=false")
    ok = LibraryItem(cfg).deploy(item, target, LibraryItem.ResourcePoolDeploymentSpec(
        name="sdk-app-01", accept_all_eula=True, network_mappings={"frontend": nets[0].network}))
    check(ok.succeeded, "deploy of the uploaded item")
    check(VM(cfg).get(ok.resource_id.id).memory.size_mib == 8192, "deployed VM has the OVF's memory")
    expect_error(InvalidArgument, "item create with an empty name",
                 lambda: Item(cfg).create(create_spec=ItemModel(library_id=lib, name="", type="ovf")))

    # Create an OVF item from a powered-off VM, then deploy it.
    off = [v for v in VM(cfg).list(VM.FilterSpec(power_states={Power.State.POWERED_OFF})) if v.name == "DC0_C0_RP0_VM1"][0]
    created = LibraryItem(cfg).create(LibraryItem.DeployableIdentity(type="VirtualMachine", id=off.vm),
                                      LibraryItem.CreateTarget(library_id=lib), LibraryItem.CreateSpec(name="sdk-export"))
    check(created.succeeded and created.ovf_library_item_id, "create OVF item from a VM")
    again2 = LibraryItem(cfg).deploy(created.ovf_library_item_id, target, LibraryItem.ResourcePoolDeploymentSpec(
        name="sdk-from-export", accept_all_eula=True, network_mappings={"VM Network": nets[0].network}))
    check(again2.succeeded and VM(cfg).get(again2.resource_id.id).cpu.count == off.cpu_count, "deploy of the exported item")

    Session(cfg).delete()
    expect_error(Unauthenticated, "session refused after logout", lambda: Session(cfg).get())
    print("OK sdk deploy flow:", res.resource_id.id, ok.resource_id.id)


if __name__ == "__main__":
    main(sys.argv[1])
