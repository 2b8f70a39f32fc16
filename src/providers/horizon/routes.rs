//! The route table: every Horizon path and its operation id. Reads answer under both `/imagemgmt/v1` and
//! `/ims-catalog/v1` (hcs-cli reads through the latter); writes only under `/imagemgmt/v1`.

use std::sync::Arc;

use hyper::Method;

use super::{auth, catalog, clone, delete, publish, versions, Horizon};
use crate::core::provider::{Route, Routes};

pub fn table(h: Arc<Horizon>) -> Vec<Route> {
    let mut r = Routes::new(h)
        .add(Method::POST, "/csp/gateway/am/api/auth/api-tokens/authorize", "horizon.token.apiToken", auth::api_token)
        .add(
            Method::POST,
            "/csp/gateway/am/api/auth/authorize",
            "horizon.token.clientCredentials",
            auth::client_credentials,
        )
        .add(Method::POST, "/csp/gateway/am/api/auth/token", "horizon.token.refresh", auth::refresh)
        .add(Method::POST, "/auth/v1/oauth/token", "horizon.token.oauth", auth::client_credentials)
        .add(Method::POST, "/imagemgmt/v1/images", "horizon.image.create", catalog::create)
        .add(Method::POST, "/imagemgmt/v1/images/{imageId}/versions", "horizon.version.create", versions::create)
        .add(
            Method::POST,
            "/imagemgmt/v1/images/{imageId}/versions/{versionId}",
            "horizon.version.publish",
            publish::publish,
        )
        .add(
            Method::POST,
            "/imagemgmt/v1/images/{imageId}/versions/{versionId}/republish",
            "horizon.version.republish",
            publish::republish,
        )
        .add(
            Method::POST,
            "/imagemgmt/v1/images/{imageId}/versions/{versionId}/clone",
            "horizon.version.clone",
            clone::clone,
        )
        .add(
            Method::DELETE,
            "/imagemgmt/v1/images/{imageId}/versions/{versionId}",
            "horizon.version.delete",
            delete::delete,
        );
    for prefix in [READ_IMAGEMGMT, READ_CATALOG] {
        for (path, op, handler) in prefix {
            r = r.add(Method::GET, path, op, *handler);
        }
    }
    r.build()
}

type Handler = fn(&Horizon, &mut crate::core::call::Call) -> crate::core::call::Reply;

const READ_IMAGEMGMT: &[(&str, &str, Handler)] = &[
    ("/imagemgmt/v1/images", "horizon.image.list", catalog::list),
    ("/imagemgmt/v1/images/{imageId}", "horizon.image.get", catalog::get),
    ("/imagemgmt/v1/images/{imageId}/versions", "horizon.version.list", versions::list),
    ("/imagemgmt/v1/images/{imageId}/versions/{versionId}", "horizon.version.get", versions::get),
    ("/imagemgmt/v1/images/{imageId}/versions/{versionId}/copies", "horizon.copy.list", versions::copies),
    ("/imagemgmt/v1/images/{imageId}/versions/{versionId}/copies/{copyId}", "horizon.copy.get", versions::copy),
    ("/imagemgmt/v1/image-copies", "horizon.imageCopy.list", catalog::image_copies),
    ("/imagemgmt/v1/images/{imageId}/markers", "horizon.marker.list", catalog::markers),
    ("/imagemgmt/v1/images/{imageId}/markers/{markerId}", "horizon.marker.get", catalog::marker),
];

const READ_CATALOG: &[(&str, &str, Handler)] = &[
    ("/ims-catalog/v1/images", "horizon.image.list", catalog::list),
    ("/ims-catalog/v1/images/{imageId}", "horizon.image.get", catalog::get),
    ("/ims-catalog/v1/images/{imageId}/versions", "horizon.version.list", versions::list),
    ("/ims-catalog/v1/images/{imageId}/versions/{versionId}", "horizon.version.get", versions::get),
    ("/ims-catalog/v1/images/{imageId}/versions/{versionId}/copies", "horizon.copy.list", versions::copies),
    ("/ims-catalog/v1/images/{imageId}/versions/{versionId}/copies/{copyId}", "horizon.copy.get", versions::copy),
    ("/ims-catalog/v1/image-copies", "horizon.imageCopy.list", catalog::image_copies),
    ("/ims-catalog/v1/images/{imageId}/markers", "horizon.marker.list", catalog::markers),
    ("/ims-catalog/v1/images/{imageId}/markers/{markerId}", "horizon.marker.get", catalog::marker),
];
