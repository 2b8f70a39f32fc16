//! The k5 route table: every path this provider serves and its operation id. Swift is served under the
//! catalog's `/objectstorage/v1` and at `/v1` (the form import `location`s use); the import/export API at the
//! seed's root `/v1` and under the catalog's `/vmimport/v1` and `/import-export/v1`.

use std::sync::Arc;

use hyper::Method;

use crate::core::provider::{Route, Routes};

use super::ops::{exports, glance, identity, imports, swift};
use super::K5;

/// Swift's non-standard `COPY` method.
fn copy() -> Method {
    Method::from_bytes(b"COPY").unwrap_or(Method::PUT)
}

pub fn table(k5: Arc<K5>) -> Vec<Route> {
    let r = Routes::new(k5)
        // Identity (Keystone v3)
        .add(Method::GET, "/", "k5.identity.versions", identity::versions)
        .add(Method::GET, "/v3", "k5.identity.version", identity::version)
        .add(Method::GET, "/v3/", "k5.identity.version", identity::version)
        .add(Method::POST, "/v3/auth/tokens", "k5.token.create", identity::create_token)
        .add(Method::GET, "/v3/auth/tokens", "k5.token.validate", identity::validate_token)
        .add(Method::HEAD, "/v3/auth/tokens", "k5.token.check", identity::check_token)
        .add(Method::DELETE, "/v3/auth/tokens", "k5.token.revoke", identity::revoke_token)
        .add(Method::GET, "/v3/auth/catalog", "k5.catalog.get", identity::catalog)
        .add(Method::GET, "/v3/auth/projects", "k5.project.listForToken", identity::token_projects)
        .add(Method::GET, "/v3/users/{user_id}/projects", "k5.project.listForUser", identity::user_projects)
        // Object storage (Swift)
        .add(Method::GET, "/info", "k5.swift.info", swift::info)
        .add(Method::GET, "/objectstorage/info", "k5.swift.info", swift::info)
        .add(Method::HEAD, "/objectstorage/v1/AUTH_{project}", "k5.account.head", swift::account_head)
        .add(Method::HEAD, "/objectstorage/v1/AUTH_{project}/", "k5.account.head", swift::account_head)
        .add(Method::GET, "/objectstorage/v1/AUTH_{project}", "k5.account.list", swift::account_list)
        .add(Method::GET, "/objectstorage/v1/AUTH_{project}/", "k5.account.list", swift::account_list)
        .add(Method::POST, "/objectstorage/v1/AUTH_{project}", "k5.account.update", swift::account_update)
        .add(Method::POST, "/objectstorage/v1/AUTH_{project}/", "k5.account.update", swift::account_update)
        .add(Method::PUT, "/objectstorage/v1/AUTH_{project}/{container}", "k5.container.create", swift::container_put)
        .add(Method::PUT, "/objectstorage/v1/AUTH_{project}/{container}/", "k5.container.create", swift::container_put)
        .add(Method::HEAD, "/objectstorage/v1/AUTH_{project}/{container}", "k5.container.head", swift::container_head)
        .add(Method::HEAD, "/objectstorage/v1/AUTH_{project}/{container}/", "k5.container.head", swift::container_head)
        .add(Method::GET, "/objectstorage/v1/AUTH_{project}/{container}", "k5.container.list", swift::container_list)
        .add(Method::GET, "/objectstorage/v1/AUTH_{project}/{container}/", "k5.container.list", swift::container_list)
        .add(Method::POST, "/objectstorage/v1/AUTH_{project}/{container}", "k5.container.update", swift::container_post)
        .add(
            Method::POST,
            "/objectstorage/v1/AUTH_{project}/{container}/",
            "k5.container.update",
            swift::container_post,
        )
        .add(
            Method::DELETE,
            "/objectstorage/v1/AUTH_{project}/{container}",
            "k5.container.delete",
            swift::container_delete,
        )
        .add(
            Method::DELETE,
            "/objectstorage/v1/AUTH_{project}/{container}/",
            "k5.container.delete",
            swift::container_delete,
        )
        .add(Method::PUT, "/objectstorage/v1/AUTH_{project}/{container}/{object+}", "k5.object.put", swift::object_put)
        .add(
            Method::HEAD,
            "/objectstorage/v1/AUTH_{project}/{container}/{object+}",
            "k5.object.head",
            swift::object_head,
        )
        .add(Method::GET, "/objectstorage/v1/AUTH_{project}/{container}/{object+}", "k5.object.get", swift::object_get)
        .add(
            Method::POST,
            "/objectstorage/v1/AUTH_{project}/{container}/{object+}",
            "k5.object.update",
            swift::object_post,
        )
        .add(
            Method::DELETE,
            "/objectstorage/v1/AUTH_{project}/{container}/{object+}",
            "k5.object.delete",
            swift::object_delete,
        )
        .add(copy(), "/objectstorage/v1/AUTH_{project}/{container}/{object+}", "k5.object.copy", swift::object_copy)
        .add(Method::HEAD, "/v1/AUTH_{project}", "k5.account.head", swift::account_head)
        .add(Method::HEAD, "/v1/AUTH_{project}/", "k5.account.head", swift::account_head)
        .add(Method::GET, "/v1/AUTH_{project}", "k5.account.list", swift::account_list)
        .add(Method::GET, "/v1/AUTH_{project}/", "k5.account.list", swift::account_list)
        .add(Method::POST, "/v1/AUTH_{project}", "k5.account.update", swift::account_update)
        .add(Method::POST, "/v1/AUTH_{project}/", "k5.account.update", swift::account_update)
        .add(Method::PUT, "/v1/AUTH_{project}/{container}", "k5.container.create", swift::container_put)
        .add(Method::PUT, "/v1/AUTH_{project}/{container}/", "k5.container.create", swift::container_put)
        .add(Method::HEAD, "/v1/AUTH_{project}/{container}", "k5.container.head", swift::container_head)
        .add(Method::HEAD, "/v1/AUTH_{project}/{container}/", "k5.container.head", swift::container_head)
        .add(Method::GET, "/v1/AUTH_{project}/{container}", "k5.container.list", swift::container_list)
        .add(Method::GET, "/v1/AUTH_{project}/{container}/", "k5.container.list", swift::container_list)
        .add(Method::POST, "/v1/AUTH_{project}/{container}", "k5.container.update", swift::container_post)
        .add(Method::POST, "/v1/AUTH_{project}/{container}/", "k5.container.update", swift::container_post)
        .add(Method::DELETE, "/v1/AUTH_{project}/{container}", "k5.container.delete", swift::container_delete)
        .add(Method::DELETE, "/v1/AUTH_{project}/{container}/", "k5.container.delete", swift::container_delete)
        .add(Method::PUT, "/v1/AUTH_{project}/{container}/{object+}", "k5.object.put", swift::object_put)
        .add(Method::HEAD, "/v1/AUTH_{project}/{container}/{object+}", "k5.object.head", swift::object_head)
        .add(Method::GET, "/v1/AUTH_{project}/{container}/{object+}", "k5.object.get", swift::object_get)
        .add(Method::POST, "/v1/AUTH_{project}/{container}/{object+}", "k5.object.update", swift::object_post)
        .add(Method::DELETE, "/v1/AUTH_{project}/{container}/{object+}", "k5.object.delete", swift::object_delete)
        .add(copy(), "/v1/AUTH_{project}/{container}/{object+}", "k5.object.copy", swift::object_copy)
        // Virtual server import / export
        .add(Method::POST, "/v1/imageimport", "k5.imageimport.create", imports::create)
        .add(Method::GET, "/v1/imageimport", "k5.imageimport.list", imports::list)
        .add(Method::GET, "/v1/imageimport/{import_id}/status", "k5.imageimport.status", imports::status)
        .add(Method::POST, "/vmimport/v1/imageimport", "k5.imageimport.create", imports::create)
        .add(Method::GET, "/vmimport/v1/imageimport", "k5.imageimport.list", imports::list)
        .add(Method::GET, "/vmimport/v1/imageimport/{import_id}/status", "k5.imageimport.status", imports::status)
        .add(Method::POST, "/import-export/v1/imageimport", "k5.imageimport.create", imports::create)
        .add(Method::GET, "/import-export/v1/imageimport", "k5.imageimport.list", imports::list)
        .add(Method::GET, "/import-export/v1/imageimport/{import_id}/status", "k5.imageimport.status", imports::status)
        .add(Method::POST, "/v1/imageexport", "k5.imageexport.create", exports::create)
        .add(Method::GET, "/v1/imageexport", "k5.imageexport.list", exports::list)
        .add(Method::GET, "/v1/imageexport/{export_id}/status", "k5.imageexport.status", exports::status)
        .add(Method::POST, "/v1/imageexport/{export_id}/cancel", "k5.imageexport.cancel", exports::cancel)
        .add(Method::POST, "/vmimport/v1/imageexport", "k5.imageexport.create", exports::create)
        .add(Method::GET, "/vmimport/v1/imageexport", "k5.imageexport.list", exports::list)
        .add(Method::GET, "/vmimport/v1/imageexport/{export_id}/status", "k5.imageexport.status", exports::status)
        .add(Method::POST, "/vmimport/v1/imageexport/{export_id}/cancel", "k5.imageexport.cancel", exports::cancel)
        .add(Method::POST, "/import-export/v1/imageexport", "k5.imageexport.create", exports::create)
        .add(Method::GET, "/import-export/v1/imageexport", "k5.imageexport.list", exports::list)
        .add(Method::GET, "/import-export/v1/imageexport/{export_id}/status", "k5.imageexport.status", exports::status)
        .add(Method::POST, "/import-export/v1/imageexport/{export_id}/cancel", "k5.imageexport.cancel", exports::cancel)
        // Image service (Glance v2)
        .add(Method::GET, "/image", "k5.image.versions", glance::versions)
        .add(Method::GET, "/image/", "k5.image.versions", glance::versions)
        .add(Method::GET, "/image/versions", "k5.image.versions", glance::versions)
        .add(Method::GET, "/image/v2/images", "k5.image.list", glance::list)
        .add(Method::GET, "/image/v2/images/{image_id}", "k5.image.get", glance::get)
        .add(Method::PATCH, "/image/v2/images/{image_id}", "k5.image.update", glance::update)
        .add(Method::DELETE, "/image/v2/images/{image_id}", "k5.image.delete", glance::delete)
        .add(Method::GET, "/image/v2/images/{image_id}/file", "k5.image.download", glance::download)
        .add(Method::PUT, "/image/v2/images/{image_id}/tags/{tag}", "k5.imageTag.add", glance::tag_add)
        .add(Method::DELETE, "/image/v2/images/{image_id}/tags/{tag}", "k5.imageTag.delete", glance::tag_delete)
        .add(Method::GET, "/image/v2/images/{image_id}/members", "k5.imageMember.list", glance::member_list)
        .add(Method::POST, "/image/v2/images/{image_id}/members", "k5.imageMember.create", glance::member_create)
        .add(Method::GET, "/image/v2/images/{image_id}/members/{member_id}", "k5.imageMember.get", glance::member_get)
        .add(
            Method::PUT,
            "/image/v2/images/{image_id}/members/{member_id}",
            "k5.imageMember.update",
            glance::member_update,
        )
        .add(
            Method::DELETE,
            "/image/v2/images/{image_id}/members/{member_id}",
            "k5.imageMember.delete",
            glance::member_delete,
        );
    r.build()
}
