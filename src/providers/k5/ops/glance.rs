//! Glance v2 under `/image`: version discovery (300 with a plain `versions` list), list/show/update/delete of
//! images, and image members (how K5 users share an imported image with another project).

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::providers::k5::errors::{self, json_line};
use crate::providers::k5::model::images::{Image, Member};
use crate::providers::k5::wire::glance_patch::{apply_patch, PatchError, PATCH_CONTENT_TYPE};
use crate::providers::k5::wire::ids::is_hex32;
use crate::providers::k5::wire::time;
use crate::providers::k5::K5;

const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 1000;

fn versions_body(base: &str) -> Value {
    let link = format!("{base}/image/v2/");
    let list: Vec<Value> = [
        ("v2.6", "CURRENT"),
        ("v2.5", "SUPPORTED"),
        ("v2.4", "SUPPORTED"),
        ("v2.3", "SUPPORTED"),
        ("v2.2", "SUPPORTED"),
        ("v2.1", "SUPPORTED"),
        ("v2.0", "SUPPORTED"),
    ]
    .iter()
    .map(|(id, status)| json!({"id": id, "status": status, "links": [{"rel": "self", "href": link}]}))
    .collect();
    json!({ "versions": list })
}

/// `GET /image` answers 300 like Glance's root; `/image/versions` answers 200 with the same list.
pub fn versions(_k5: &K5, call: &mut Call) -> Reply {
    let status = if call.path.ends_with("/versions") { StatusCode::OK } else { StatusCode::MULTIPLE_CHOICES };
    json_line(status, &versions_body(&call.base_url))
}

fn error(call: &Call, status: StatusCode, message: &str) -> Reply {
    errors::glance(status, message, call.header("accept"))
}

/// The caller's project; keystonemiddleware refuses a missing, bad, expired or unscoped token with 401.
fn project_of(k5: &K5, call: &Call) -> Result<String, Reply> {
    k5.caller(call).and_then(|t| t.project_id().map(str::to_string)).ok_or_else(|| errors::unauthorized(&call.base_url))
}

fn member_of(k5: &K5, image: &Image, project: &str) -> Option<Member> {
    k5.members.get(&image.owner, &format!("{}/{project}", image.id))
}

fn visible(k5: &K5, image: &Image, project: &str) -> bool {
    image.owner == project
        || image.visibility == "public"
        || image.visibility == "community"
        || member_of(k5, image, project).is_some()
}

/// The caller's project and the image of the path, when the caller may see it: the prelude of most handlers.
fn visible_image(k5: &K5, call: &Call) -> Result<(String, Image), Reply> {
    let project = project_of(k5, call)?;
    let image = find_visible(k5, call, &project)?;
    Ok((project, image))
}

fn find_visible(k5: &K5, call: &Call, project: &str) -> Result<Image, Reply> {
    let id = call.param("image_id").to_string();
    k5.images
        .find_any(|_, i| i.id == id)
        .map(|(_, _, i)| i)
        .filter(|i| visible(k5, i, project))
        .ok_or_else(|| error(call, StatusCode::NOT_FOUND, &format!("No image found with ID {id}")))
}

pub fn list(k5: &K5, call: &mut Call) -> Reply {
    let project = match project_of(k5, call) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let limit = match call.query_param("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => match l.parse::<usize>() {
            Ok(n) => n.min(MAX_LIMIT),
            Err(_) => return error(call, StatusCode::BAD_REQUEST, "limit param must be an integer"),
        },
    };
    let sort_dir = call.query_param("sort_dir").unwrap_or_else(|| "desc".into());
    if sort_dir != "asc" && sort_dir != "desc" {
        return error(call, StatusCode::BAD_REQUEST, &format!("Invalid sort direction: {sort_dir}"));
    }
    let name = call.query_param("name");
    let status = call.query_param("status");
    let visibility = call.query_param("visibility");
    let owner = call.query_param("owner");
    let member_status = call.query_param("member_status").unwrap_or_else(|| "accepted".into());

    let mut all: Vec<Image> = Vec::new();
    for tenant in k5.images.tenants() {
        all.extend(k5.images.filter(&tenant, |i| {
            let listed = i.owner == project
                || i.visibility == "public"
                || member_of(k5, i, &project).is_some_and(|m| member_status == "all" || m.status == member_status);
            listed
                && name.as_deref().is_none_or(|n| i.name.as_deref() == Some(n))
                && status.as_deref().is_none_or(|s| i.status == s)
                && owner.as_deref().is_none_or(|o| i.owner == o)
                && match visibility.as_deref() {
                    None | Some("all") => true,
                    Some(v) => i.visibility == v,
                }
        }));
    }
    all.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
    if sort_dir == "desc" {
        all.reverse();
    }
    if let Some(marker) = call.query_param("marker") {
        match all.iter().position(|i| i.id == marker) {
            Some(pos) => {
                all.drain(..=pos);
            }
            None => {
                return error(
                    call,
                    StatusCode::BAD_REQUEST,
                    &format!("Invalid marker. Image {marker} could not be found."),
                )
            }
        }
    }
    let more = all.len() > limit;
    all.truncate(limit);
    let mut body = json!({
        "images": all.iter().map(Image::to_json).collect::<Vec<_>>(),
        "first": "/v2/images",
        "schema": "/v2/schemas/images",
    });
    if more {
        if let Some(last) = all.last() {
            body["next"] = json!(format!("/v2/images?marker={}&limit={limit}", last.id));
        }
    }
    json_line(StatusCode::OK, &body)
}

pub fn get(k5: &K5, call: &mut Call) -> Reply {
    let project = match project_of(k5, call) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match find_visible(k5, call, &project) {
        Ok(i) => json_line(StatusCode::OK, &i.json_view()),
        Err(r) => r,
    }
}

/// `GET /v2/images/{id}/file`: the image bytes (an imported image holds its object's bytes); Glance answers 204
/// for an image without data, as the public fixture image is here.
pub fn download(k5: &K5, call: &mut Call) -> Reply {
    let (_, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    if image.data.0.is_empty() {
        return Reply::empty(StatusCode::NO_CONTENT);
    }
    Reply::new(StatusCode::OK)
        .body(image.data.0.clone())
        .content_type("application/octet-stream")
        .header("Content-MD5", &image.checksum)
}

/// `PUT /v2/images/{id}/tags/{tag}` (204, idempotent) — openstacksdk's `add_tag`.
pub fn tag_add(k5: &K5, call: &mut Call) -> Reply {
    change_tag(k5, call, true)
}

/// `DELETE /v2/images/{id}/tags/{tag}` (204; 404 when the image does not carry it).
pub fn tag_delete(k5: &K5, call: &mut Call) -> Reply {
    change_tag(k5, call, false)
}

fn change_tag(k5: &K5, call: &Call, add: bool) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    if image.owner != project {
        return error(call, StatusCode::FORBIDDEN, "You are not permitted to modify this image.");
    }
    let tag = call.param("tag").to_string();
    if tag.is_empty() || tag.len() > 255 {
        return error(call, StatusCode::BAD_REQUEST, &format!("Invalid tag: {tag}"));
    }
    if !add && !image.tags.contains(&tag) {
        return error(call, StatusCode::NOT_FOUND, &format!("Tag {tag} not found"));
    }
    let now = time::seconds(call.core.clock.now());
    k5.images.update(&image.owner, &image.id, |i| {
        if add {
            if !i.tags.contains(&tag) {
                i.tags.push(tag.clone());
            }
        } else {
            i.tags.retain(|t| t != &tag);
        }
        i.updated_at = now;
    });
    Reply::empty(StatusCode::NO_CONTENT)
}

pub fn update(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    if !call.content_type().starts_with(PATCH_CONTENT_TYPE) {
        return error(
            call,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Unsupported Content-Type. Expected {PATCH_CONTENT_TYPE}"),
        );
    }
    if image.owner != project {
        return error(call, StatusCode::FORBIDDEN, "You are not permitted to modify this image.");
    }
    let Value::Object(view) = image.to_json() else {
        return error(call, StatusCode::INTERNAL_SERVER_ERROR, "bad image");
    };
    let patched = match apply_patch(&view, &call.body) {
        Ok(p) => p,
        Err(PatchError::BadRequest(m)) => return error(call, StatusCode::BAD_REQUEST, &m),
        Err(PatchError::Forbidden(m)) => return error(call, StatusCode::FORBIDDEN, &m),
    };
    let now = time::seconds(call.core.clock.now());
    let updated = k5.images.update(&image.owner, &image.id, |i| {
        i.apply_json(&patched);
        i.updated_at = now;
        i.clone()
    });
    match updated {
        Some(i) => json_line(StatusCode::OK, &i.to_json()),
        None => error(call, StatusCode::NOT_FOUND, &format!("No image found with ID {}", image.id)),
    }
}

pub fn delete(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    if image.owner != project {
        return error(call, StatusCode::FORBIDDEN, "You are not permitted to delete this image.");
    }
    if image.protected {
        return error(call, StatusCode::FORBIDDEN, &format!("Image {} is protected and cannot be deleted.", image.id));
    }
    k5.images.remove(&image.owner, &image.id);
    for m in k5.members.filter(&image.owner, |m| m.image_id == image.id) {
        k5.members.remove(&image.owner, &format!("{}/{}", m.image_id, m.member_id));
    }
    Reply::empty(StatusCode::NO_CONTENT)
}

pub fn member_list(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let members: Vec<Value> = k5
        .members
        .filter(&image.owner, |m| m.image_id == image.id && (image.owner == project || m.member_id == project))
        .iter()
        .map(Member::to_json)
        .collect();
    json_line(StatusCode::OK, &json!({"members": members, "schema": "/v2/schemas/members"}))
}

pub fn member_create(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    if image.owner != project {
        return error(call, StatusCode::FORBIDDEN, "You are not permitted to create image members for the image.");
    }
    if image.visibility == "public" || image.visibility == "community" {
        return error(call, StatusCode::FORBIDDEN, "Public images do not have members.");
    }
    let body: Value = serde_json::from_slice(&call.body).unwrap_or(Value::Null);
    let Some(member) = body.get("member").and_then(Value::as_str).map(str::to_string) else {
        return error(call, StatusCode::BAD_REQUEST, "Member to be added not specified");
    };
    if !is_hex32(&member) || k5.world().project(&member).is_none() {
        return error(call, StatusCode::BAD_REQUEST, &format!("Invalid member: {member}"));
    }
    let key = format!("{}/{member}", image.id);
    let now = time::seconds(call.core.clock.now());
    let m = Member {
        image_id: image.id.clone(),
        member_id: member.clone(),
        status: "pending".into(),
        created_at: now.clone(),
        updated_at: now,
    };
    if !k5.members.insert_new(&image.owner, &key, m.clone()) {
        return error(call, StatusCode::CONFLICT, &format!("Member {member} is duplicated for image {}", image.id));
    }
    json_line(StatusCode::OK, &m.to_json())
}

fn find_member(k5: &K5, call: &Call, image: &Image, project: &str) -> Result<Member, Reply> {
    let member_id = call.param("member_id");
    let visible_to_caller = image.owner == project || member_id == project;
    k5.members.get(&image.owner, &format!("{}/{member_id}", image.id)).filter(|_| visible_to_caller).ok_or_else(|| {
        error(call, StatusCode::NOT_FOUND, &format!("{member_id} is not a member of image {}", image.id))
    })
}

pub fn member_get(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    match find_member(k5, call, &image, &project) {
        Ok(m) => json_line(StatusCode::OK, &m.to_json()),
        Err(r) => r,
    }
}

pub fn member_update(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let m = match find_member(k5, call, &image, &project) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if m.member_id != project {
        return error(call, StatusCode::FORBIDDEN, "You are not permitted to modify 'status' on this image member.");
    }
    let body: Value = serde_json::from_slice(&call.body).unwrap_or(Value::Null);
    let status = body.get("status").and_then(Value::as_str).unwrap_or("");
    if !["pending", "accepted", "rejected"].contains(&status) {
        return error(call, StatusCode::BAD_REQUEST, &format!("Invalid status: {status}"));
    }
    let now = time::seconds(call.core.clock.now());
    let key = format!("{}/{}", m.image_id, m.member_id);
    let updated = k5.members.update(&image.owner, &key, |x| {
        x.status = status.to_string();
        x.updated_at = now;
        x.clone()
    });
    match updated {
        Some(m) => json_line(StatusCode::OK, &m.to_json()),
        None => error(call, StatusCode::NOT_FOUND, "Member not found"),
    }
}

pub fn member_delete(k5: &K5, call: &mut Call) -> Reply {
    let (project, image) = match visible_image(k5, call) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let m = match find_member(k5, call, &image, &project) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if image.owner != project {
        return error(call, StatusCode::FORBIDDEN, "You are not permitted to delete image members for the image.");
    }
    k5.members.remove(&image.owner, &format!("{}/{}", m.image_id, m.member_id));
    Reply::empty(StatusCode::NO_CONTENT)
}
