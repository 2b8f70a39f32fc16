//! The CSP token service in front of the API, and the Bearer check every API call makes.
//!
//! Access tokens are JWTs whose claims carry the org (`context_name`) and `perms`, as CSP's do. The server
//! trusts a token only if the credential registry knows it and still counts it valid (issue 9: tokens age in
//! real time by default, and expire on purpose through the admin API) and its signature is ours.

use std::time::Duration;

use hyper::StatusCode;
use serde_json::{json, Value};

use super::errors::{csp_error, ApiError, ApiResult};
use super::jwt;
use super::model::{Principal, RefreshGrant};
use super::Horizon;
use crate::core::call::{Call, Reply};
use crate::core::credentials::{CredentialClock, CredentialState};
use crate::core::Core;

pub const PROVIDER: &str = "horizon";
/// CSP access tokens live 30 minutes; `expires_in` reads 1799 right after issue.
pub const ACCESS_LIFETIME: Duration = Duration::from_secs(1800);
/// Refresh tokens handed out with an access token (CSP keeps API-token logins refreshable for long).
pub const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Signs the JWTs; clients never verify, the server checks it to tell its own tokens from other providers'.
const SIGNING_KEY: &[u8] = b"mockcloud-horizon-csp-signing-key";
pub const PERM_WRITE: &str = "external/imagemgmt:admin";

/// Who is calling an API operation.
#[derive(Debug, Clone)]
pub struct Caller {
    pub org: String,
}

fn form_pairs(call: &Call) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(&call.body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    pairs.extend(call.query_pairs());
    pairs
}

fn first(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.clone())
}

fn basic_auth(call: &Call) -> Option<(String, String)> {
    use base64::Engine;
    let header = call.header("authorization")?;
    let (scheme, value) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(value.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// T1: `POST /csp/gateway/am/api/auth/api-tokens/authorize`, form `api_token=…` (or the deprecated
/// `refresh_token=…`, in the body or the query).
pub fn api_token(h: &Horizon, call: &mut Call) -> Reply {
    let pairs = form_pairs(call);
    let Some(token) = first(&pairs, "api_token").or_else(|| first(&pairs, "refresh_token")) else {
        return csp_error(StatusCode::BAD_REQUEST, "invalid_request", "api_token is required", call);
    };
    let found = h.principals.find_any(|_, p| p.secret.is_none() && p.key == token);
    match found {
        Some((_, _, p)) => issue(h, call, &p.org_id, &p.username, &p.perms),
        None => csp_error(StatusCode::BAD_REQUEST, "invalid_grant", "invalid_grant: Invalid API token", call),
    }
}

/// T2/T4: client-credentials grant with HTTP Basic (or form) client id and secret.
pub fn client_credentials(h: &Horizon, call: &mut Call) -> Reply {
    let pairs = form_pairs(call);
    if first(&pairs, "grant_type").as_deref() != Some("client_credentials") {
        return csp_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
            call,
        );
    }
    let (id, secret) = match basic_auth(call) {
        Some(pair) => pair,
        None => match (first(&pairs, "client_id"), first(&pairs, "client_secret")) {
            (Some(id), Some(secret)) => (id, secret),
            _ => {
                return csp_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication is required", call)
            }
        },
    };
    let found = h.principals.find_any(|_, p| p.key == id && p.secret.as_deref() == Some(secret.as_str()));
    let Some((_, _, p)) = found else {
        return csp_error(StatusCode::UNAUTHORIZED, "invalid_client", "invalid_client: Bad client credentials", call);
    };
    if let Some(org) = first(&pairs, "orgId") {
        if org != p.org_id {
            return csp_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                &format!("Client {id} is not a member of org {org}"),
                call,
            );
        }
    }
    issue(h, call, &p.org_id, &p.username, &p.perms)
}

/// T3: `grant_type=refresh_token&refresh_token=…`.
pub fn refresh(h: &Horizon, call: &mut Call) -> Reply {
    let pairs = form_pairs(call);
    if first(&pairs, "grant_type").as_deref() != Some("refresh_token") {
        return csp_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type must be refresh_token", call);
    }
    let Some(token) = first(&pairs, "refresh_token") else {
        return csp_error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is required", call);
    };
    let core = call.core.clone();
    let grant = h.refresh.find_any(|_, g| g.token == token).map(|(_, _, g)| g);
    let valid = matches!(core.credentials.check(&core.clock, &token), CredentialState::Valid { .. });
    match grant {
        Some(g) if valid => issue(h, call, &g.org_id, &g.username, &g.perms),
        _ => {
            csp_error(StatusCode::BAD_REQUEST, "invalid_grant", "invalid_grant: Invalid or expired refresh token", call)
        }
    }
}

/// Mints an access token (and a refresh token), registers both, and answers `AccessTokenDto`.
fn issue(h: &Horizon, call: &Call, org: &str, username: &str, perms: &[String]) -> Reply {
    let core = &call.core;
    let now = credential_now(core).timestamp();
    let jti = core.ids.uuid();
    let claims = json!({
        "iss": format!("{}/csp/gateway/am/api", call.base_url),
        "sub": username,
        "username": username,
        "acct": username,
        "context": org,
        "context_name": org,
        "azp": "csp_mockcloud_client",
        "perms": perms,
        "authorization_details": [],
        "domain": "mockcloud.local",
        "iat": now,
        "jti": jti,
    });
    let mut access_claims = claims.clone();
    let access = jwt::encode(&with_exp(&mut access_claims, core, ACCESS_LIFETIME), SIGNING_KEY);
    let expires_at = core.credentials.issue(&core.clock, PROVIDER, org, &access, ACCESS_LIFETIME, false);
    let expires_in = (expires_at - credential_now(core)).num_seconds().max(0);
    let mut id_claims = claims;
    id_claims["jti"] = json!(core.ids.uuid());
    let id_token = jwt::encode(&with_exp(&mut id_claims, core, ACCESS_LIFETIME), SIGNING_KEY);
    let refresh_token = core.ids.token(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 64);
    core.credentials.issue(&core.clock, PROVIDER, org, &refresh_token, REFRESH_LIFETIME, false);
    let grant = RefreshGrant {
        token: refresh_token.clone(),
        org_id: org.to_string(),
        username: username.to_string(),
        perms: perms.to_vec(),
    };
    h.refresh.insert(org, &refresh_token, grant);
    Reply::json(
        StatusCode::OK,
        &json!({
            "id_token": id_token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": "ALL_PERMISSIONS",
            "access_token": access,
            "refresh_token": refresh_token,
        }),
    )
}

/// "Now" on the clock credentials age by: the wall clock by default, the product clock with
/// `--credential-clock product`. `exp` and `expires_in` are written from it so they agree with the registry.
fn credential_now(core: &Core) -> chrono::DateTime<chrono::Utc> {
    match core.credentials.mode() {
        CredentialClock::Real => chrono::Utc::now(),
        CredentialClock::Product => core.clock.now(),
    }
}

fn with_exp(claims: &mut Value, core: &Core, lifetime: Duration) -> Value {
    claims["exp"] = json!(credential_now(core).timestamp() + lifetime.as_secs() as i64);
    claims.clone()
}

/// The Bearer token of a request, if it carries one in the expected form.
pub fn bearer(call: &Call) -> Option<String> {
    let header = call.header("authorization")?;
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// Reads the caller without judging (for scenario matching before the handler runs): the org of a Bearer
/// token, or on the token endpoints the org of the API token, client or refresh token presented.
pub fn identify(h: &Horizon, call: &mut Call) {
    if let Some(token) = bearer(call) {
        if let Some(claims) = jwt::verified_claims(&token, SIGNING_KEY) {
            if let Some(org) = claims.get("context_name").and_then(Value::as_str) {
                call.set_tenant(org);
            }
        }
        call.credential = Some(token);
        return;
    }
    if !call.path.starts_with("/csp/") && !call.path.starts_with("/auth/") {
        return;
    }
    let pairs = form_pairs(call);
    let org = if call.path.ends_with("/api-tokens/authorize") {
        let token = first(&pairs, "api_token").or_else(|| first(&pairs, "refresh_token")).unwrap_or_default();
        h.principals.find_any(|_, p| p.secret.is_none() && p.key == token).map(|(org, _, _)| org)
    } else if let Some(token) = first(&pairs, "refresh_token") {
        call.credential = Some(token.clone());
        h.refresh.find_any(|_, g| g.token == token).map(|(org, _, _)| org)
    } else if let Some((id, _)) = basic_auth(call) {
        h.principals.find_any(|_, p| p.secret.is_some() && p.key == id).map(|(org, _, _)| org)
    } else {
        None
    };
    if let Some(org) = org {
        call.set_tenant(org);
    }
}

/// The check every API operation starts with: 401 for a missing, malformed, unknown or expired token; 403 when
/// the token cannot act for the org the request names, or cannot write.
pub fn caller(call: &Call, write: bool) -> ApiResult<Caller> {
    let Some(header) = call.header("authorization") else {
        return Err(ApiError::new("UNAUTHORIZED", "Full authentication is required to access this resource"));
    };
    let token = bearer(call).ok_or_else(|| {
        let scheme = header.split_whitespace().next().unwrap_or("");
        ApiError::new(
            "UNAUTHORIZED",
            format!("Unsupported authorization scheme '{scheme}'; a Bearer token is required"),
        )
    })?;
    let claims = jwt::verified_claims(&token, SIGNING_KEY)
        .ok_or_else(|| ApiError::new("INVALID_TOKEN", "Access token is malformed or was not issued by this service"))?;
    let core = &call.core;
    let org = match core.credentials.check(&core.clock, &token) {
        CredentialState::Valid { tenant } => tenant,
        CredentialState::Expired => return Err(ApiError::new("INVALID_TOKEN", "Access token has expired")),
        CredentialState::Revoked => return Err(ApiError::new("INVALID_TOKEN", "Access token has been revoked")),
        CredentialState::Unknown => return Err(ApiError::new("INVALID_TOKEN", "Access token is not recognised")),
    };
    if claims.get("context_name").and_then(Value::as_str) != Some(org.as_str()) {
        return Err(ApiError::new("INVALID_TOKEN", "Access token is not recognised"));
    }
    let perms: Vec<String> = claims
        .get("perms")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    for key in ["org_id", "orgId"] {
        if let Some(named) = call.query_param(key).filter(|v| !v.is_empty()) {
            check_org(&org, &named)?;
        }
    }
    if write && !perms.iter().any(|p| p == PERM_WRITE) {
        return Err(ApiError::new("FORBIDDEN", "Insufficient permissions: image management admin is required"));
    }
    Ok(Caller { org })
}

/// A request may name an org (query `org_id`, body `orgId`); a token acts only for its own.
pub fn check_org(token_org: &str, named: &str) -> ApiResult<()> {
    if named == token_org {
        Ok(())
    } else {
        Err(ApiError::new("FORBIDDEN", format!("Access token is not authorized for org {named}")))
    }
}

/// Fixture identities for `GET /_mockcloud/state`.
pub fn identities(h: &Horizon) -> Value {
    let mut orgs = serde_json::Map::new();
    for org in h.principals.tenants() {
        let list: Vec<Principal> = h.principals.list(&org);
        let api_tokens: Vec<Value> = list
            .iter()
            .filter(|p| p.secret.is_none())
            .map(|p| json!({"apiToken": p.key, "username": p.username, "perms": p.perms}))
            .collect();
        let clients: Vec<Value> = list
            .iter()
            .filter(|p| p.secret.is_some())
            .map(|p| json!({"clientId": p.key, "clientSecret": p.secret, "perms": p.perms}))
            .collect();
        orgs.insert(org.clone(), json!({"apiTokens": api_tokens, "oauthClients": clients}));
    }
    json!({
        "tokenEndpoint": "/csp/gateway/am/api/auth/api-tokens/authorize",
        "clientCredentialsEndpoint": "/csp/gateway/am/api/auth/authorize?grant_type=client_credentials",
        "orgs": orgs,
    })
}
