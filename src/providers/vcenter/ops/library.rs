//! Content library: libraries (local only), items, and the files/storage of an item.

use serde_json::{json, Value};

use super::{invalid, is_uuid, not_found, now, opt_s, remember, replay, s, Ctx};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::model::{Item, Library};

pub fn library_not_found(id: &str) -> VapiError {
    not_found("com.vmware.vdcs.cls-main.library_not_found", format!("Library '{id}' was not found."), id)
}

pub fn item_not_found(id: &str) -> VapiError {
    not_found("com.vmware.vdcs.cls-main.library_item_not_found", format!("Library item '{id}' was not found."), id)
}

fn library_model(l: &Library) -> Value {
    json!({"id": l.id, "name": l.name, "description": l.description, "type": "LOCAL",
        "storage_backings": [{"type": "DATASTORE", "datastore_id": l.datastore_id}],
        "creation_time": l.creation_time, "last_modified_time": l.last_modified_time,
        "version": l.version.to_string(), "server_guid": l.server_guid,
        "publish_info": {"authentication_method": "NONE", "published": false, "persist_json_enabled": false}})
}

pub fn item_size(i: &Item) -> i64 {
    i.files.iter().fold(0i64, |a, f| a.saturating_add(f.size))
}

fn item_model(i: &Item) -> Value {
    let mut v = json!({"id": i.id, "library_id": i.library_id, "name": i.name, "description": i.description, "type": i.item_type,
        "size": item_size(i), "cached": true, "content_version": i.content_version.to_string(),
        "metadata_version": i.metadata_version.to_string(), "version": (i.content_version + i.metadata_version).to_string(),
        "creation_time": i.creation_time, "last_modified_time": i.last_modified_time, "security_compliance": true});
    if let Some(src) = &i.source_id {
        v["source_id"] = json!(src);
    }
    v
}

pub fn library_list(ctx: &Ctx, _input: &Value) -> Result<Value, VapiError> {
    Ok(Value::Array(ctx.p.libraries.list(&ctx.user).iter().map(|l| json!(l.id)).collect()))
}

pub fn library_get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_id");
    ctx.p.libraries.get(&ctx.user, id).map(|l| library_model(&l)).ok_or_else(|| library_not_found(id))
}

pub fn library_find(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let spec = &input["spec"];
    let name = opt_s(spec, "name");
    let ltype = opt_s(spec, "type");
    let ds = spec.get("storage_backing").and_then(|b| opt_s(b, "datastore_id"));
    if name.is_none() && ltype.is_none() && spec.get("storage_backing").is_none() {
        return Err(invalid(
            "com.vmware.vdcs.cls-main.invalid_find_spec",
            "The find spec must set at least one of name, type or storage_backing.",
            vec![],
        ));
    }
    let ids = ctx
        .p
        .libraries
        .filter(&ctx.user, |l| {
            name.is_none_or(|n| l.name.eq_ignore_ascii_case(n))
                && ltype.is_none_or(|t| t == "LOCAL")
                && ds.is_none_or(|d| l.datastore_id == d)
        })
        .into_iter()
        .map(|l| json!(l.id))
        .collect();
    Ok(Value::Array(ids))
}

pub fn library_delete(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_id");
    ctx.p.libraries.remove(&ctx.user, id).ok_or_else(|| library_not_found(id))?;
    for item in ctx.p.items.filter(&ctx.user, |i| i.library_id == id) {
        ctx.p.items.remove(&ctx.user, &item.id);
    }
    Ok(Value::Null)
}

pub fn local_library_create(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let token = opt_s(input, "client_token");
    if let Some(r) = replay(ctx, token) {
        return Ok(r);
    }
    let spec = &input["create_spec"];
    let name = opt_s(spec, "name").unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(invalid(
            "com.vmware.vdcs.cls-main.invalid_library_name",
            "The library name must not be empty.",
            vec![],
        ));
    }
    if let Some(t) = opt_s(spec, "type") {
        if t != "LOCAL" {
            return Err(invalid(
                "com.vmware.vdcs.cls-main.invalid_library_type",
                format!("Library type '{t}' is not valid for a local library."),
                vec![t.into()],
            ));
        }
    }
    let backings = spec.get("storage_backings").and_then(Value::as_array).cloned().unwrap_or_default();
    let Some(ds) = backings.first().and_then(|b| opt_s(b, "datastore_id")).map(str::to_string) else {
        return Err(invalid(
            "com.vmware.vdcs.cls-main.invalid_storage_backing",
            "A local library needs one storage backing of type DATASTORE with a datastore_id.",
            vec![],
        ));
    };
    if !ctx.p.is_kind(&ctx.user, &ds, crate::providers::vcenter::model::Kind::Datastore) {
        return Err(not_found(
            "com.vmware.vdcs.cls-main.datastore_not_found",
            format!("Datastore '{ds}' was not found."),
            &ds,
        ));
    }
    if !ctx.p.libraries.filter(&ctx.user, |l| l.name.eq_ignore_ascii_case(&name)).is_empty() {
        return Err(VapiError::new(
            "already_exists",
            "com.vmware.vdcs.cls-main.duplicate_library_name",
            format!("A library with name '{name}' already exists."),
            vec![name],
        ));
    }
    let id = ctx.core.ids.uuid();
    let t = now(ctx);
    ctx.p.libraries.insert(
        &ctx.user,
        &id,
        Library {
            id: id.clone(),
            name,
            description: opt_s(spec, "description").unwrap_or("").to_string(),
            datastore_id: ds,
            creation_time: t.clone(),
            last_modified_time: t,
            version: 1,
            server_guid: ctx.p.server_guid(),
        },
    );
    let out = json!(id);
    remember(ctx, token, &out);
    Ok(out)
}

pub fn local_library_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    library_list(ctx, input)
}

pub fn item_create(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let token = opt_s(input, "client_token");
    if let Some(t) = token {
        if !is_uuid(t) {
            return Err(invalid(
                "com.vmware.vdcs.cls-main.invalid_client_token",
                format!("The client token '{t}' is not a UUID."),
                vec![t.into()],
            ));
        }
    }
    if let Some(r) = replay(ctx, token) {
        return Ok(r);
    }
    let spec = &input["create_spec"];
    let lib = opt_s(spec, "library_id").unwrap_or("");
    if lib.is_empty() {
        return Err(invalid(
            "vapi.data.structure.field.missing",
            "Field 'library_id' missing from structure 'com.vmware.content.library.item_model'.",
            vec!["library_id".into()],
        ));
    }
    let name = opt_s(spec, "name").unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(invalid(
            "com.vmware.vdcs.cls-main.invalid_item_name",
            "The library item name must not be empty.",
            vec![],
        ));
    }
    let description = opt_s(spec, "description").unwrap_or("");
    let id = insert_empty_item(ctx, lib, name, description, opt_s(spec, "type").unwrap_or("ovf"))?;
    let out = json!(id);
    remember(ctx, token, &out);
    Ok(out)
}

/// Adds an item with no files to library `lib` and returns its id: the library must exist and, as on vCenter,
/// item names are unique per library ignoring case. Used by item create and by OVF export to a new item.
pub fn insert_empty_item(
    ctx: &Ctx,
    lib: &str,
    name: String,
    description: &str,
    item_type: &str,
) -> Result<String, VapiError> {
    if !ctx.p.libraries.contains(&ctx.user, lib) {
        return Err(library_not_found(lib));
    }
    if !ctx.p.items.filter(&ctx.user, |i| i.library_id == lib && i.name.eq_ignore_ascii_case(&name)).is_empty() {
        return Err(VapiError::new(
            "already_exists",
            "com.vmware.vdcs.cls-main.duplicate_item_name_unsupported_in_library",
            format!("An item with name '{name}' already exists in library '{lib}'."),
            vec![name, lib.into()],
        ));
    }
    let id = ctx.core.ids.uuid();
    let t = now(ctx);
    ctx.p.items.insert(
        &ctx.user,
        &id,
        Item {
            id: id.clone(),
            library_id: lib.to_string(),
            name,
            description: description.to_string(),
            item_type: item_type.to_string(),
            creation_time: t.clone(),
            last_modified_time: t,
            content_version: 1,
            metadata_version: 1,
            files: vec![],
            ovf: None,
            source_id: None,
        },
    );
    Ok(id)
}

pub fn item_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let lib = s(input, "library_id");
    if !ctx.p.libraries.contains(&ctx.user, lib) {
        return Err(library_not_found(lib));
    }
    Ok(Value::Array(ctx.p.items.filter(&ctx.user, |i| i.library_id == lib).iter().map(|i| json!(i.id)).collect()))
}

pub fn item_get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    ctx.p.items.get(&ctx.user, id).map(|i| item_model(&i)).ok_or_else(|| item_not_found(id))
}

pub fn item_find(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let spec = &input["spec"];
    let name = opt_s(spec, "name");
    let lib = opt_s(spec, "library_id");
    let src = opt_s(spec, "source_id");
    let itype = opt_s(spec, "type");
    let cached = spec.get("cached").and_then(Value::as_bool);
    if name.is_none() && lib.is_none() && src.is_none() && itype.is_none() && cached.is_none() {
        return Err(invalid(
            "com.vmware.vdcs.cls-main.invalid_find_spec",
            "The find spec must set at least one of name, library_id, source_id, type or cached.",
            vec![],
        ));
    }
    if let Some(l) = lib {
        if !ctx.p.libraries.contains(&ctx.user, l) {
            return Err(library_not_found(l));
        }
    }
    let ids = ctx
        .p
        .items
        .filter(&ctx.user, |i| {
            name.is_none_or(|n| i.name.eq_ignore_ascii_case(n))
                && lib.is_none_or(|l| i.library_id == l)
                && src.is_none_or(|s| i.source_id.as_deref() == Some(s))
                && itype.is_none_or(|t| i.item_type == t)
                && cached.is_none_or(|c| c)
        })
        .into_iter()
        .map(|i| json!(i.id))
        .collect();
    Ok(Value::Array(ids))
}

pub fn item_delete(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    if !ctx.p.items.contains(&ctx.user, id) {
        return Err(item_not_found(id));
    }
    if ctx.p.active_update_session(&ctx.user, id).is_some() {
        return Err(VapiError::new(
            "resource_busy",
            "com.vmware.vdcs.cls-main.item_update_in_progress",
            format!("Library item '{id}' has an active update session."),
            vec![id.into()],
        ));
    }
    ctx.p.items.remove(&ctx.user, id);
    Ok(Value::Null)
}

fn file_info(f: &crate::providers::vcenter::model::StoredFile, version: u64) -> Value {
    let mut v = json!({"name": f.name, "size": f.size, "cached": true, "version": version.to_string()});
    if let Some(sha) = &f.sha1 {
        v["checksum_info"] = json!({"algorithm": "SHA1", "checksum": sha});
    }
    v
}

pub fn item_file_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    let item = ctx.p.items.get(&ctx.user, id).ok_or_else(|| item_not_found(id))?;
    Ok(Value::Array(item.files.iter().map(|f| file_info(f, item.content_version)).collect()))
}

pub fn item_file_get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    let name = s(input, "name");
    let item = ctx.p.items.get(&ctx.user, id).ok_or_else(|| item_not_found(id))?;
    item.files.iter().find(|f| f.name == name).map(|f| file_info(f, item.content_version)).ok_or_else(|| {
        not_found(
            "com.vmware.vdcs.cls-main.file_not_found",
            format!("File '{name}' was not found in library item '{id}'."),
            name,
        )
    })
}

fn storage_info(ctx: &Ctx, item: &Item, f: &crate::providers::vcenter::model::StoredFile) -> Value {
    let lib = ctx.p.libraries.get(&ctx.user, &item.library_id);
    let ds = lib.map(|l| l.datastore_id).unwrap_or_default();
    let ds_name = ctx.p.objects.get(&ctx.user, &ds).map(|d| d.name).unwrap_or_else(|| ds.clone());
    let mut v = file_info(f, item.content_version);
    v["storage_backing"] = json!({"type": "DATASTORE", "datastore_id": ds});
    v["storage_uris"] =
        json!([format!("ds:///vmfs/volumes/{ds_name}/contentlib-{}/{}/{}", item.library_id, item.id, f.name)]);
    v
}

pub fn item_storage_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    let item = ctx.p.items.get(&ctx.user, id).ok_or_else(|| item_not_found(id))?;
    Ok(Value::Array(item.files.iter().map(|f| storage_info(ctx, &item, f)).collect()))
}

pub fn item_storage_get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    let name = s(input, "file_name");
    let item = ctx.p.items.get(&ctx.user, id).ok_or_else(|| item_not_found(id))?;
    let f = item.files.iter().find(|f| f.name == name).ok_or_else(|| {
        not_found(
            "com.vmware.vdcs.cls-main.file_not_found",
            format!("File '{name}' was not found in library item '{id}'."),
            name,
        )
    })?;
    Ok(Value::Array(vec![storage_info(ctx, &item, f)]))
}

fn check_name(name: &str, what: &str) -> Result<String, VapiError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(invalid(
            &format!("com.vmware.vdcs.cls-main.invalid_{what}_name"),
            format!("The {what} name must not be empty."),
            vec![],
        ));
    }
    Ok(n.to_string())
}

/// `update` (PATCH): name and description; unset fields keep their value.
pub fn library_update(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_id");
    let spec = &input["update_spec"];
    if !ctx.p.libraries.contains(&ctx.user, id) {
        return Err(library_not_found(id));
    }
    let name = opt_s(spec, "name").map(|n| check_name(n, "library")).transpose()?;
    if let Some(n) = &name {
        if !ctx.p.libraries.filter(&ctx.user, |l| l.id != id && l.name.eq_ignore_ascii_case(n)).is_empty() {
            return Err(VapiError::new(
                "already_exists",
                "com.vmware.vdcs.cls-main.duplicate_library_name",
                format!("A library with name '{n}' already exists."),
                vec![n.clone()],
            ));
        }
    }
    let t = now(ctx);
    ctx.p.libraries.update(&ctx.user, id, |l| {
        if let Some(n) = name {
            l.name = n;
        }
        if let Some(d) = opt_s(spec, "description") {
            l.description = d.to_string();
        }
        l.version += 1;
        l.last_modified_time = t;
    });
    Ok(Value::Null)
}

pub fn item_update(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "library_item_id");
    let spec = &input["update_spec"];
    let item = ctx.p.items.get(&ctx.user, id).ok_or_else(|| item_not_found(id))?;
    let name = opt_s(spec, "name").map(|n| check_name(n, "item")).transpose()?;
    if let Some(n) = &name {
        let taken = ctx
            .p
            .items
            .filter(&ctx.user, |i| i.id != id && i.library_id == item.library_id && i.name.eq_ignore_ascii_case(n));
        if !taken.is_empty() {
            return Err(VapiError::new(
                "already_exists",
                "com.vmware.vdcs.cls-main.duplicate_item_name_unsupported_in_library",
                format!("An item with name '{n}' already exists in library '{}'.", item.library_id),
                vec![n.clone(), item.library_id.clone()],
            ));
        }
    }
    let t = now(ctx);
    ctx.p.items.update(&ctx.user, id, |i| {
        if let Some(n) = name {
            i.name = n;
        }
        if let Some(d) = opt_s(spec, "description") {
            i.description = d.to_string();
        }
        i.metadata_version += 1;
        i.last_modified_time = t;
    });
    Ok(Value::Null)
}
