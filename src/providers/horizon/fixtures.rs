//! The fixture world (`fixtures/horizon/world.json`): orgs with their API tokens, OAuth clients, provider
//! instances and images nested with versions, copies and markers, as a reader would describe them.

use serde::Deserialize;
use serde_json::{json, Value};

use super::model::{
    Asset, Image, Marker, Principal, ProviderInstance, Version, ASSET_STATUSES, ASSET_TYPES, GPU_TYPES, IMAGE_STATUSES,
    OS_TYPES, SOURCE_TYPES, VERSION_STATUSES, VERSION_TYPES,
};
use super::Horizon;
use crate::core::fixtures::FixtureFiles;
use crate::core::Core;

const FILE: &str = "world.json";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct World {
    orgs: Vec<Org>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Org {
    id: String,
    #[allow(dead_code)]
    name: String,
    #[serde(default)]
    api_tokens: Vec<ApiToken>,
    #[serde(default)]
    oauth_clients: Vec<OauthClient>,
    #[serde(default)]
    provider_instances: Vec<Instance>,
    #[serde(default)]
    images: Vec<FxImage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ApiToken {
    token: String,
    username: String,
    perms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OauthClient {
    client_id: String,
    client_secret: String,
    perms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Instance {
    id: String,
    name: String,
    provider_label: String,
    region: String,
    status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FxImage {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    os: Option<String>,
    os_type: String,
    gpu_type: String,
    multi_session: bool,
    source_type: String,
    provider_instance_id: String,
    status: String,
    created_at: String,
    versions: Vec<FxVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FxVersion {
    id: String,
    name: String,
    version_type: String,
    #[serde(default)]
    source_version_id: Option<String>,
    status: String,
    state: String,
    last_triggered_action: String,
    version_history: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    assets: Vec<FxAsset>,
    #[serde(default)]
    markers: Vec<FxMarker>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FxAsset {
    id: String,
    asset_type: String,
    #[serde(default)]
    provider_instance_id: Option<String>,
    status: String,
    state: String,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_details: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FxMarker {
    id: String,
    name: String,
    template_count: i64,
}

fn check(files: &FixtureFiles, field: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(files.error(FILE, field, &format!("'{value}' is not one of {}", allowed.join(", "))))
    }
}

pub fn load(h: &Horizon, _core: &Core, files: &FixtureFiles) -> Result<(), String> {
    let world: World = files.parse_or_default(FILE)?;
    for (oi, org) in world.orgs.iter().enumerate() {
        let o = org.id.as_str();
        for t in &org.api_tokens {
            let p = Principal {
                key: t.token.clone(),
                secret: None,
                org_id: o.into(),
                username: t.username.clone(),
                perms: t.perms.clone(),
            };
            h.principals.insert(o, &t.token, p);
        }
        for c in &org.oauth_clients {
            let p = Principal {
                key: c.client_id.clone(),
                secret: Some(c.client_secret.clone()),
                org_id: o.into(),
                username: c.client_id.clone(),
                perms: c.perms.clone(),
            };
            h.principals.insert(o, &c.client_id, p);
        }
        for pi in &org.provider_instances {
            let row = ProviderInstance {
                id: pi.id.clone(),
                org_id: o.into(),
                name: pi.name.clone(),
                provider_label: pi.provider_label.clone(),
                region: pi.region.clone(),
                status: pi.status.clone(),
            };
            h.instances.insert(o, &pi.id, row);
        }
        for (ii, img) in org.images.iter().enumerate() {
            let at = format!("orgs[{oi}].images[{ii}]");
            check(files, &format!("{at}.osType"), &img.os_type, OS_TYPES)?;
            check(files, &format!("{at}.gpuType"), &img.gpu_type, GPU_TYPES)?;
            check(files, &format!("{at}.sourceType"), &img.source_type, SOURCE_TYPES)?;
            check(files, &format!("{at}.status"), &img.status, IMAGE_STATUSES)?;
            let Some(home) = h.instances.get(o, &img.provider_instance_id) else {
                return Err(files.error(
                    FILE,
                    &format!("{at}.providerInstanceId"),
                    "no such provider instance in this org",
                ));
            };
            let image = Image {
                id: img.id.clone(),
                org_id: o.into(),
                name: img.name.clone(),
                description: img.description.clone(),
                os: img.os.clone(),
                os_type: img.os_type.clone(),
                gpu_type: img.gpu_type.clone(),
                multi_session: img.multi_session,
                source_type: img.source_type.clone(),
                source_stream_id: None,
                source_version_id: None,
                status: img.status.clone(),
                provider_instance_id: home.id.clone(),
                provider_label: home.provider_label.clone(),
                created_at: img.created_at.clone(),
                updated_at: img.created_at.clone(),
                version: 1,
            };
            h.images.insert(o, &img.id, image);
            for (vi, v) in img.versions.iter().enumerate() {
                let at = format!("{at}.versions[{vi}]");
                check(files, &format!("{at}.status"), &v.status, VERSION_STATUSES)?;
                check(files, &format!("{at}.versionType"), &v.version_type, VERSION_TYPES)?;
                let version = Version {
                    id: v.id.clone(),
                    stream_id: img.id.clone(),
                    org_id: o.into(),
                    name: v.name.clone(),
                    description: v.description.clone(),
                    os: None,
                    source_type: img.source_type.clone(),
                    source_version_id: v.source_version_id.clone(),
                    state: v.state.clone(),
                    status: v.status.clone(),
                    last_triggered_action: v.last_triggered_action.clone(),
                    version_type: v.version_type.clone(),
                    options: json!({}),
                    version_validation_details: json!({}),
                    version_history: v.version_history.clone(),
                    provider_instance_id: home.id.clone(),
                    publish: None,
                    created_at: img.created_at.clone(),
                    updated_at: img.created_at.clone(),
                    version: 1,
                };
                h.versions.insert(o, &v.id, version);
                for (ai, a) in v.assets.iter().enumerate() {
                    let at = format!("{at}.assets[{ai}]");
                    check(files, &format!("{at}.status"), &a.status, ASSET_STATUSES)?;
                    check(files, &format!("{at}.assetType"), &a.asset_type, ASSET_TYPES)?;
                    let pi = a.provider_instance_id.clone().unwrap_or_else(|| home.id.clone());
                    let Some(instance) = h.instances.get(o, &pi) else {
                        return Err(files.error(
                            FILE,
                            &format!("{at}.providerInstanceId"),
                            "no such provider instance in this org",
                        ));
                    };
                    let history = match &a.error_code {
                        Some(code) => vec![json!({
                            "code": code, "message": a.error_details, "detail": null, "domain": "IMAGE_MANAGEMENT",
                            "severity": "ERROR", "parameters": {}, "cause": null, "timestampInUtc": img.created_at,
                        })],
                        None => Vec::new(),
                    };
                    let asset = Asset {
                        id: a.id.clone(),
                        image_id: img.id.clone(),
                        version_id: v.id.clone(),
                        org_id: o.into(),
                        provider_instance_id: instance.id.clone(),
                        provider_label: instance.provider_label.clone(),
                        credential_id: None,
                        gpu_type: img.gpu_type.clone(),
                        os_type: img.os_type.clone(),
                        multi_session: img.multi_session,
                        state: a.state.clone(),
                        status: a.status.clone(),
                        asset_type: a.asset_type.clone(),
                        data: if a.data.is_null() { json!({}) } else { a.data.clone() },
                        source_asset_id: None,
                        error_code: a.error_code.clone(),
                        error_details: a.error_details.clone(),
                        errors_history: history,
                        created_at: img.created_at.clone(),
                        updated_at: img.created_at.clone(),
                        version: 1,
                    };
                    h.assets.insert(o, &a.id, asset);
                }
                for m in &v.markers {
                    let marker = Marker {
                        id: m.id.clone(),
                        name: m.name.clone(),
                        image_id: img.id.clone(),
                        version_id: v.id.clone(),
                        next_version_id: None,
                        org_id: o.into(),
                        template_count: m.template_count,
                        created_at: img.created_at.clone(),
                        updated_at: img.created_at.clone(),
                    };
                    h.markers.insert(o, &m.id, marker);
                }
            }
        }
    }
    Ok(())
}
