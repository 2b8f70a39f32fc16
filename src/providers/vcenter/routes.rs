//! The operation table: every vAPI operation mockcloud serves, its service/operation ids, and the paths it
//! answers on `/rest` (and the seed's bare `/com/vmware/...`), on `/api`, and (by ids) on JSON-RPC.
//! Nothing else hard-codes paths.

use std::sync::Arc;

use hyper::Method;

use super::ops::{self, OpFn};
use super::{wire, Vcenter};
use crate::core::provider::{Route, Routes};

pub struct OpDef {
    /// Operation id (`vcenter.ovf.deploy`): journal, scenarios, `mockcloud routes`.
    pub id: &'static str,
    /// vAPI service id and IDL operation name.
    pub service: &'static str,
    pub op: &'static str,
    pub run: OpFn,
    /// Login operation: credentials instead of a session.
    pub login: bool,
    /// `/rest` collection path (below `/rest`); `com/vmware` collections are also served bare.
    pub rest: &'static str,
    /// The parameter an `id:{..}` path segment binds, if the operation takes one.
    pub rest_id: Option<&'static str>,
    /// Natural `/rest` forms: method and whether the id is in the path.
    pub rest_forms: &'static [(&'static str, bool)],
    /// `/api` routes (method, pattern below `/api`).
    pub api: &'static [(&'static str, &'static str)],
}

const GET: &str = "GET";
const POST: &str = "POST";
const DELETE: &str = "DELETE";
const PATCH: &str = "PATCH";

macro_rules! op {
    ($id:expr, $svc:expr, $op:expr, $run:expr, $rest:expr, $rid:expr, $forms:expr, $api:expr) => {
        OpDef {
            id: $id,
            service: $svc,
            op: $op,
            run: $run,
            login: false,
            rest: $rest,
            rest_id: $rid,
            rest_forms: $forms,
            api: $api,
        }
    };
}

const CIS: &str = "com.vmware.cis.session";
const LIB: &str = "com.vmware.content.library";
const LOCAL: &str = "com.vmware.content.local_library";
const ITEM: &str = "com.vmware.content.library.item";
const IFILE: &str = "com.vmware.content.library.item.file";
const ISTORE: &str = "com.vmware.content.library.item.storage";
const US: &str = "com.vmware.content.library.item.update_session";
const UF: &str = "com.vmware.content.library.item.updatesession.file";
const OVF: &str = "com.vmware.vcenter.ovf.library_item";

#[rustfmt::skip]
pub static OPS: &[OpDef] = &[
    OpDef { id: "vcenter.session.create", service: CIS, op: "create", run: ops::session::create, login: true, rest: "/com/vmware/cis/session", rest_id: None, rest_forms: &[(POST, false)], api: &[(POST, "/session")], },
    op!("vcenter.session.get", CIS, "get", ops::session::get, "/com/vmware/cis/session", None, &[(GET, false)], &[(GET, "/session")]),
    op!("vcenter.session.delete", CIS, "delete", ops::session::delete, "/com/vmware/cis/session", None, &[(DELETE, false)], &[(DELETE, "/session")]),
    op!("vcenter.library.list", LIB, "list", ops::library::library_list, "/com/vmware/content/library", None, &[(GET, false)], &[(GET, "/content/library")]),
    op!("vcenter.library.get", LIB, "get", ops::library::library_get, "/com/vmware/content/library", Some("library_id"), &[(GET, true)], &[(GET, "/content/library/{library_id}")]),
    op!("vcenter.library.find", LIB, "find", ops::library::library_find, "/com/vmware/content/library", None, &[], &[(POST, "/content/library?action=find")]),
    op!("vcenter.library.delete", LIB, "delete", ops::library::library_delete, "/com/vmware/content/library", Some("library_id"), &[(DELETE, true)], &[(DELETE, "/content/library/{library_id}")]),
    op!("vcenter.library.update", LIB, "update", ops::library::library_update, "/com/vmware/content/library", Some("library_id"), &[(PATCH, true)], &[(PATCH, "/content/library/{library_id}")]),
    op!("vcenter.local_library.create", LOCAL, "create", ops::library::local_library_create, "/com/vmware/content/local-library", None, &[(POST, false)], &[(POST, "/content/local-library")]),
    op!("vcenter.local_library.list", LOCAL, "list", ops::library::local_library_list, "/com/vmware/content/local-library", None, &[(GET, false)], &[(GET, "/content/local-library")]),
    op!("vcenter.local_library.get", LOCAL, "get", ops::library::library_get, "/com/vmware/content/local-library", Some("library_id"), &[(GET, true)], &[(GET, "/content/local-library/{library_id}")]),
    op!("vcenter.local_library.delete", LOCAL, "delete", ops::library::library_delete, "/com/vmware/content/local-library", Some("library_id"), &[(DELETE, true)], &[(DELETE, "/content/local-library/{library_id}")]),
    op!("vcenter.local_library.update", LOCAL, "update", ops::library::library_update, "/com/vmware/content/local-library", Some("library_id"), &[(PATCH, true)], &[(PATCH, "/content/local-library/{library_id}")]),
    op!("vcenter.item.create", ITEM, "create", ops::library::item_create, "/com/vmware/content/library/item", None, &[(POST, false)], &[(POST, "/content/library/item")]),
    op!("vcenter.item.list", ITEM, "list", ops::library::item_list, "/com/vmware/content/library/item", None, &[(GET, false)], &[(GET, "/content/library/item")]),
    op!("vcenter.item.get", ITEM, "get", ops::library::item_get, "/com/vmware/content/library/item", Some("library_item_id"), &[(GET, true)], &[(GET, "/content/library/item/{library_item_id}")]),
    op!("vcenter.item.find", ITEM, "find", ops::library::item_find, "/com/vmware/content/library/item", None, &[], &[(POST, "/content/library/item?action=find")]),
    op!("vcenter.item.delete", ITEM, "delete", ops::library::item_delete, "/com/vmware/content/library/item", Some("library_item_id"), &[(DELETE, true)], &[(DELETE, "/content/library/item/{library_item_id}")]),
    op!("vcenter.item.update", ITEM, "update", ops::library::item_update, "/com/vmware/content/library/item", Some("library_item_id"), &[(PATCH, true)], &[(PATCH, "/content/library/item/{library_item_id}")]),
    op!("vcenter.item_file.list", IFILE, "list", ops::library::item_file_list, "/com/vmware/content/library/item/file", None, &[(GET, false)], &[(GET, "/content/library/item/{library_item_id}/file")]),
    op!("vcenter.item_file.get", IFILE, "get", ops::library::item_file_get, "/com/vmware/content/library/item/file", Some("library_item_id"), &[], &[]),
    op!("vcenter.item_storage.list", ISTORE, "list", ops::library::item_storage_list, "/com/vmware/content/library/item/storage", None, &[(GET, false)], &[(GET, "/content/library/item/{library_item_id}/storage")]),
    op!("vcenter.item_storage.get", ISTORE, "get", ops::library::item_storage_get, "/com/vmware/content/library/item/storage", Some("library_item_id"), &[], &[]),
    op!("vcenter.update_session.create", US, "create", ops::update::create, "/com/vmware/content/library/item/update-session", None, &[(POST, false)], &[(POST, "/content/library/item/update-session")]),
    op!("vcenter.update_session.get", US, "get", ops::update::get, "/com/vmware/content/library/item/update-session", Some("update_session_id"), &[(GET, true)], &[(GET, "/content/library/item/update-session/{update_session_id}")]),
    op!("vcenter.update_session.list", US, "list", ops::update::list, "/com/vmware/content/library/item/update-session", None, &[(GET, false)], &[(GET, "/content/library/item/update-session")]),
    op!("vcenter.update_session.complete", US, "complete", ops::update::complete, "/com/vmware/content/library/item/update-session", Some("update_session_id"), &[], &[(POST, "/content/library/item/update-session/{update_session_id}?action=complete")]),
    op!("vcenter.update_session.cancel", US, "cancel", ops::update::cancel, "/com/vmware/content/library/item/update-session", Some("update_session_id"), &[], &[(POST, "/content/library/item/update-session/{update_session_id}?action=cancel")]),
    op!("vcenter.update_session.fail", US, "fail", ops::update::fail, "/com/vmware/content/library/item/update-session", Some("update_session_id"), &[], &[(POST, "/content/library/item/update-session/{update_session_id}?action=fail")]),
    op!("vcenter.update_session.keep_alive", US, "keep_alive", ops::update::keep_alive, "/com/vmware/content/library/item/update-session", Some("update_session_id"), &[], &[(POST, "/content/library/item/update-session/{update_session_id}?action=keep-alive")]),
    op!("vcenter.update_session.delete", US, "delete", ops::update::delete, "/com/vmware/content/library/item/update-session", Some("update_session_id"), &[(DELETE, true)], &[(DELETE, "/content/library/item/update-session/{update_session_id}")]),
    op!("vcenter.update_file.add", UF, "add", ops::update::file_add, "/com/vmware/content/library/item/updatesession/file", Some("update_session_id"), &[], &[(POST, "/content/library/item/update-session/{update_session_id}/file")]),
    op!("vcenter.update_file.list", UF, "list", ops::update::file_list, "/com/vmware/content/library/item/updatesession/file", None, &[(GET, false)], &[(GET, "/content/library/item/update-session/{update_session_id}/file")]),
    op!("vcenter.update_file.get", UF, "get", ops::update::file_get, "/com/vmware/content/library/item/updatesession/file", Some("update_session_id"), &[], &[(GET, "/content/library/item/update-session/{update_session_id}/file/{file_name}")]),
    op!("vcenter.update_file.remove", UF, "remove", ops::update::file_remove, "/com/vmware/content/library/item/updatesession/file", Some("update_session_id"), &[], &[(DELETE, "/content/library/item/update-session/{update_session_id}/file/{file_name}")]),
    op!("vcenter.update_file.validate", UF, "validate", ops::update::file_validate, "/com/vmware/content/library/item/updatesession/file", Some("update_session_id"), &[], &[(POST, "/content/library/item/update-session/{update_session_id}/file?action=validate")]),
    op!("vcenter.ovf.create", OVF, "create", ops::ovf::create, "/com/vmware/vcenter/ovf/library-item", None, &[(POST, false)], &[(POST, "/vcenter/ovf/library-item")]),
    op!("vcenter.ovf.filter", OVF, "filter", ops::ovf::filter, "/com/vmware/vcenter/ovf/library-item", Some("ovf_library_item_id"), &[], &[(POST, "/vcenter/ovf/library-item/{ovf_library_item_id}?action=filter")]),
    op!("vcenter.ovf.deploy", OVF, "deploy", ops::ovf::deploy, "/com/vmware/vcenter/ovf/library-item", Some("ovf_library_item_id"), &[], &[(POST, "/vcenter/ovf/library-item/{ovf_library_item_id}?action=deploy")]),
    op!("vcenter.vm.list", "com.vmware.vcenter.VM", "list", ops::inventory::vm_list, "/vcenter/vm", None, &[(GET, false)], &[(GET, "/vcenter/vm")]),
    op!("vcenter.vm.get", "com.vmware.vcenter.VM", "get", ops::inventory::vm_get, "/vcenter/vm", Some("vm"), &[(GET, true)], &[(GET, "/vcenter/vm/{vm}")]),
    op!("vcenter.vm.delete", "com.vmware.vcenter.VM", "delete", ops::inventory::vm_delete, "/vcenter/vm", Some("vm"), &[(DELETE, true)], &[(DELETE, "/vcenter/vm/{vm}")]),
    op!("vcenter.datacenter.list", "com.vmware.vcenter.datacenter", "list", ops::inventory::datacenter_list, "/vcenter/datacenter", None, &[(GET, false)], &[(GET, "/vcenter/datacenter")]),
    op!("vcenter.folder.list", "com.vmware.vcenter.folder", "list", ops::inventory::folder_list, "/vcenter/folder", None, &[(GET, false)], &[(GET, "/vcenter/folder")]),
    op!("vcenter.resource_pool.list", "com.vmware.vcenter.resource_pool", "list", ops::inventory::resource_pool_list, "/vcenter/resource-pool", None, &[(GET, false)], &[(GET, "/vcenter/resource-pool")]),
    op!("vcenter.host.list", "com.vmware.vcenter.host", "list", ops::inventory::host_list, "/vcenter/host", None, &[(GET, false)], &[(GET, "/vcenter/host")]),
    op!("vcenter.datastore.list", "com.vmware.vcenter.datastore", "list", ops::inventory::datastore_list, "/vcenter/datastore", None, &[(GET, false)], &[(GET, "/vcenter/datastore")]),
    op!("vcenter.network.list", "com.vmware.vcenter.network", "list", ops::inventory::network_list, "/vcenter/network", None, &[(GET, false)], &[(GET, "/vcenter/network")]),
    op!("vcenter.cluster.list", "com.vmware.vcenter.cluster", "list", ops::inventory::cluster_list, "/vcenter/cluster", None, &[(GET, false)], &[(GET, "/vcenter/cluster")]),
];

/// On `/api` the HTTP body of these operations is one parameter, not an object of parameters (the SDK's
/// `request_body_parameter`); the other parameters come from the path, the query and `Client-Token`.
pub fn api_body_parameter(d: &OpDef) -> Option<&'static str> {
    match d.id {
        "vcenter.library.find" | "vcenter.item.find" => Some("spec"),
        "vcenter.local_library.create" | "vcenter.item.create" | "vcenter.update_session.create" => Some("create_spec"),
        "vcenter.update_file.add" => Some("file_spec"),
        "vcenter.library.update" | "vcenter.local_library.update" | "vcenter.item.update" => Some("update_spec"),
        _ => None,
    }
}

/// `/api` routes whose operation is picked by a query parameter on a shared path
/// (`GET .../item/{id}/file?name=` is `file.get`, without it `file.list`).
pub fn api_dispatch(d: &'static OpDef, query: &[(String, String)]) -> &'static OpDef {
    let has = |k: &str| query.iter().any(|(q, _)| q == k);
    let alt = match d.id {
        "vcenter.item_file.list" if has("name") => by_id("vcenter.item_file.get"),
        "vcenter.item_storage.list" if has("file_name") => by_id("vcenter.item_storage.get"),
        _ => None,
    };
    alt.unwrap_or(d)
}

pub fn by_id(id: &str) -> Option<&'static OpDef> {
    OPS.iter().find(|d| d.id == id)
}

pub fn by_service(service: &str, op: &str) -> Option<&'static OpDef> {
    OPS.iter().find(|d| d.service == service && d.op == op)
}

/// Operation ids of the routes that are not vAPI operations.
pub const RPC_ID: &str = "vcenter.rpc.invoke";
pub const UPLOAD_ID: &str = "vcenter.upload.put";

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap_or(Method::POST)
}

/// The `/rest` patterns of one operation (without the `/rest` prefix): the natural forms plus
/// `POST <collection>[/id:{..}]?~action=<op>`, which the docs give for every operation.
pub fn rest_patterns(d: &OpDef) -> Vec<(Method, String)> {
    let id_seg = |name: &str| {
        if d.rest.starts_with("/com/vmware/") {
            format!("/id:{{{name}}}")
        } else {
            format!("/{{{name}}}")
        }
    };
    let mut out = vec![];
    for (m, with_id) in d.rest_forms {
        let path = match (with_id, d.rest_id) {
            (true, Some(p)) => format!("{}{}", d.rest, id_seg(p)),
            _ => d.rest.to_string(),
        };
        out.push((method(m), path));
    }
    let action = d.op.replace('_', "-");
    out.push((Method::POST, format!("{}?~action={action}", d.rest)));
    if let Some(p) = d.rest_id {
        out.push((Method::POST, format!("{}{}?~action={action}", d.rest, id_seg(p))));
    }
    out
}

pub fn table(p: Arc<Vcenter>) -> Vec<Route> {
    let mut r = Routes::new(p);
    for d in OPS {
        for (m, path) in rest_patterns(d) {
            r = r.add(m.clone(), leak(format!("/rest{path}")), d.id, wire::rest_handler);
            if path.starts_with("/com/vmware/") {
                r = r.add(m, leak(path), d.id, wire::rest_handler);
            }
        }
        for (m, path) in d.api {
            r = r.add(method(m), leak(format!("/api{path}")), d.id, wire::api_handler);
        }
    }
    r.add_refined(Method::POST, "/api", RPC_ID, wire::rpc_refine, wire::rpc_handler)
        .add(Method::PUT, "/cls/data/{slot}/{file}", UPLOAD_ID, wire::upload_handler)
        .build()
}
