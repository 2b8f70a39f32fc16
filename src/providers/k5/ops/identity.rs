//! Keystone v3 as K5 runs it: version discovery, tokens (password and token methods, project/domain/no scope),
//! validation and revocation, the catalog with K5's endpoint `name`, and project listings.

use std::time::Duration;

use chrono::Utc;
use hyper::StatusCode;
use md5::{Digest, Md5};
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::providers::k5::errors::{self, json_line};
use crate::providers::k5::model::identity::{Contract, Token, TokenScope, User, World};
use crate::providers::k5::wire::keystone_auth::{
    parse_auth_request, AuthParseError, Identity, NameOrId, Scope, UserRef,
};
use crate::providers::k5::wire::time;
use crate::providers::k5::{K5, NAME};

const COMPLY: &str = "The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.";
const AUDIT_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn version_object(base: &str) -> Value {
    json!({
        "id": "v3.6",
        "status": "stable",
        "updated": "2016-04-04T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{base}/v3/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
    })
}

/// `GET /`: Keystone's 300 Multiple Choices (note the `versions.values` nesting).
pub fn versions(_k5: &K5, call: &mut Call) -> Reply {
    let base = &call.base_url;
    json_line(StatusCode::MULTIPLE_CHOICES, &json!({"versions": {"values": [version_object(base)]}}))
        .header("Location", &format!("{base}/v3/"))
}

pub fn version(_k5: &K5, call: &mut Call) -> Reply {
    json_line(StatusCode::OK, &json!({"version": version_object(&call.base_url)}))
}

fn unauthorized(call: &Call) -> Reply {
    errors::unauthorized(&call.base_url)
}

/// `POST /v3/auth/tokens`.
pub fn create_token(k5: &K5, call: &mut Call) -> Reply {
    let req = match parse_auth_request(&call.body) {
        Ok(r) => r,
        Err(AuthParseError::BadRequest(m)) => return errors::keystone(StatusCode::BAD_REQUEST, &m, &call.base_url),
        Err(AuthParseError::Unauthorized) => return unauthorized(call),
    };
    let core = call.core.clone();
    let world = k5.world();
    let ttl = Duration::from_secs(world.token_ttl_seconds);

    let (contract, user, methods, lifetime) = match &req.identity {
        Identity::Password { user, password } => {
            let found = match user {
                UserRef::Id(id) => world.user_by_id(id),
                UserRef::Name { name, domain } => contract_of(&world.contracts, domain)
                    .and_then(|c| c.users.iter().find(|u| &u.name == name).map(|u| (c, u))),
            };
            let Some((c, u)) = found else { return unauthorized(call) };
            if locked(k5, &world, u) {
                return unauthorized(call);
            }
            if !u.enabled || &u.password != password {
                record_failure(k5, &world, u);
                return unauthorized(call);
            }
            k5.failures.remove(FAILURES_TENANT, &u.id);
            (c, u, vec!["password".to_string()], ttl)
        }
        Identity::Token { id } => {
            let Some(parent) = k5.valid_token(&core, id.trim()) else { return unauthorized(call) };
            let Some((c, u)) = world.user_by_id(&parent.user_id) else { return unauthorized(call) };
            // Keystone keeps the parent's expiry on a token obtained with the token method.
            let remaining = core
                .credentials
                .expires_at(&core.clock, id.trim())
                .and_then(|e| (e - Utc::now()).to_std().ok())
                .unwrap_or(Duration::ZERO);
            let mut methods = parent.methods.clone();
            if !methods.iter().any(|m| m == "token") {
                methods.insert(0, "token".into());
            }
            (c, u, methods, remaining.min(ttl))
        }
    };

    let scope = match resolve_scope(&world.contracts, contract, user, &req.scope) {
        Some(s) => s,
        None => return unauthorized(call),
    };
    let roles: Vec<String> = match &scope {
        TokenScope::Project { id } => user.project_roles.get(id).cloned().unwrap_or_default(),
        TokenScope::Domain { .. } => user.domain_roles.clone(),
        TokenScope::Unscoped => Vec::new(),
    };
    let tenant = match &scope {
        TokenScope::Project { id } => id.clone(),
        _ => contract.domain_id.clone(),
    };
    call.set_tenant(tenant.clone());
    let id = core.ids.hex32();
    let expires = core.credentials.issue(&core.clock, NAME, &tenant, &id, lifetime, false);
    let issued = expires - chrono::Duration::from_std(lifetime).unwrap_or_default();
    let token = Token {
        id: id.clone(),
        user_id: user.id.clone(),
        user_name: user.name.clone(),
        domain_id: contract.domain_id.clone(),
        domain_name: contract.name.clone(),
        methods,
        scope,
        roles,
        issued_at: time::keystone(issued),
        expires_at: time::keystone(expires),
        audit_id: core.ids.token(AUDIT_ALPHABET, 22),
    };
    k5.tokens.insert(&tenant, &id, token.clone());
    let nocatalog = call.query_pairs().iter().any(|(k, _)| k == "nocatalog");
    let body = token_body(k5, &token, &call.base_url, !nocatalog);
    json_line(StatusCode::CREATED, &body).header("X-Subject-Token", &id)
}

fn contract_of<'a>(contracts: &'a [Contract], d: &NameOrId) -> Option<&'a Contract> {
    contracts.iter().find(|c| match d {
        NameOrId::Id(id) => &c.domain_id == id,
        NameOrId::Name(n) => &c.name == n,
    })
}

/// The scope a request may have, or None (401) when the user holds no role there or it does not exist.
fn resolve_scope(contracts: &[Contract], own: &Contract, user: &User, scope: &Scope) -> Option<TokenScope> {
    let has_roles = |pid: &str| user.project_roles.get(pid).is_some_and(|r| !r.is_empty());
    match scope {
        Scope::Unscoped => Some(TokenScope::Unscoped),
        Scope::Default => Some(match &user.default_project_id {
            Some(p) if has_roles(p) => TokenScope::Project { id: p.clone() },
            _ => TokenScope::Unscoped,
        }),
        Scope::ProjectId(id) => {
            let exists = contracts.iter().any(|c| c.projects.iter().any(|p| &p.id == id));
            (exists && has_roles(id)).then(|| TokenScope::Project { id: id.clone() })
        }
        Scope::ProjectName { name, domain } => {
            let c = contract_of(contracts, domain)?;
            let p = c.projects.iter().find(|p| &p.name == name)?;
            has_roles(&p.id).then(|| TokenScope::Project { id: p.id.clone() })
        }
        Scope::Domain(d) => {
            let c = contract_of(contracts, d)?;
            (c.domain_id == own.domain_id && !user.domain_roles.is_empty())
                .then(|| TokenScope::Domain { id: c.domain_id.clone() })
        }
    }
}

/// Login failures are shared by every project of a user, so they live under one tenant key.
const FAILURES_TENANT: &str = "_global";

/// K5 locks a user out after N password failures within the window, for the length of the window. Failures age
/// in real time, like credentials (a lockout is about the client's wall clock, not the product clock).
fn locked(k5: &K5, world: &World, u: &User) -> bool {
    if world.lockout_failures == 0 {
        return false;
    }
    let since = Utc::now().timestamp_millis() - (world.lockout_minutes * 60_000) as i64;
    let recent = k5.failures.with(FAILURES_TENANT, &u.id, |f| f.iter().filter(|t| **t > since).count()).unwrap_or(0);
    recent >= world.lockout_failures as usize
}

fn record_failure(k5: &K5, world: &World, u: &User) {
    if world.lockout_failures == 0 {
        return;
    }
    let now = Utc::now().timestamp_millis();
    let since = now - (world.lockout_minutes * 60_000) as i64;
    let mut list = k5.failures.get(FAILURES_TENANT, &u.id).unwrap_or_default();
    list.retain(|t| *t > since);
    list.push(now);
    k5.failures.insert(FAILURES_TENANT, &u.id, list);
}

fn stable_id(seed: &str) -> String {
    hex::encode(Md5::digest(seed.as_bytes()))
}

/// The catalog for a scope: one public endpoint per service in the region, K5's endpoint `name` on each,
/// URLs from the request's base URL. Object storage needs a project, so it is absent from domain scopes.
pub fn catalog_json(region: &str, base: &str, project: Option<&str>) -> Value {
    let mut services: Vec<(&str, &str, String)> = vec![("identity", "identityv3", format!("{base}/v3"))];
    if let Some(p) = project {
        services.push(("object-store", "objectstorage", format!("{base}/objectstorage/v1/AUTH_{p}")));
    }
    services.push(("image", "image", format!("{base}/image")));
    services.push(("vmimport", "vmimport", format!("{base}/vmimport")));
    services.push(("import-export", "import-export", format!("{base}/import-export")));
    let list: Vec<Value> = services
        .into_iter()
        .map(|(kind, name, url)| {
            json!({
                "id": stable_id(&format!("service:{name}")),
                "type": kind,
                "name": name,
                "endpoints": [{
                    "id": stable_id(&format!("endpoint:{name}:{region}")),
                    "interface": "public",
                    "region": region,
                    "region_id": region,
                    "url": url,
                    "name": name,
                }],
            })
        })
        .collect();
    Value::Array(list)
}

fn token_body(k5: &K5, t: &Token, base: &str, with_catalog: bool) -> Value {
    let world = k5.world();
    let mut tok = json!({
        "methods": t.methods,
        "user": {
            "domain": {"id": t.domain_id, "name": t.domain_name},
            "id": t.user_id,
            "name": t.user_name,
            "password_expires_at": null,
        },
        "audit_ids": [t.audit_id],
        "expires_at": t.expires_at,
        "issued_at": t.issued_at,
        "extras": {},
    });
    let roles: Vec<Value> = t
        .roles
        .iter()
        .map(|r| json!({"id": world.role(r).map(|x| x.id.clone()).unwrap_or_default(), "name": r}))
        .collect();
    match &t.scope {
        TokenScope::Unscoped => {}
        TokenScope::Project { id } => {
            if let Some((c, p)) = world.project(id) {
                tok["project"] = json!({"domain": {"id": c.domain_id, "name": c.name}, "id": p.id, "name": p.name});
            }
            tok["is_domain"] = json!(false);
            tok["roles"] = json!(roles);
            if with_catalog {
                tok["catalog"] = catalog_json(&world.region, base, Some(id));
            }
        }
        TokenScope::Domain { id } => {
            tok["domain"] = json!({"id": id, "name": t.domain_name});
            tok["roles"] = json!(roles);
            if with_catalog {
                tok["catalog"] = catalog_json(&world.region, base, None);
            }
        }
    }
    json!({ "token": tok })
}

/// The subject of a validate/check/revoke call, after the caller's own token is checked.
fn subject(k5: &K5, call: &Call) -> Result<(String, Option<Token>), Reply> {
    if k5.caller(call).is_none() {
        return Err(unauthorized(call));
    }
    let Some(sub) = call.header("x-subject-token").map(|s| s.trim().to_string()) else {
        return Err(errors::keystone(
            StatusCode::BAD_REQUEST,
            &format!("Expecting to find X-Subject-Token in headers. {COMPLY}"),
            &call.base_url,
        ));
    };
    let tok = k5.valid_token(&call.core, &sub);
    Ok((sub, tok))
}

fn token_not_found(call: &Call, id: &str) -> Reply {
    errors::keystone(StatusCode::NOT_FOUND, &format!("Could not find token: {id}."), &call.base_url)
}

pub fn validate_token(k5: &K5, call: &mut Call) -> Reply {
    match subject(k5, call) {
        Err(r) => r,
        Ok((id, None)) => token_not_found(call, &id),
        Ok((id, Some(t))) => {
            let nocatalog = call.query_pairs().iter().any(|(k, _)| k == "nocatalog");
            json_line(StatusCode::OK, &token_body(k5, &t, &call.base_url, !nocatalog)).header("X-Subject-Token", &id)
        }
    }
}

pub fn check_token(k5: &K5, call: &mut Call) -> Reply {
    match subject(k5, call) {
        Err(r) => Reply::empty(r.status).header("WWW-Authenticate", &format!("Keystone uri=\"{}/v3\"", call.base_url)),
        Ok((_, None)) => Reply::empty(StatusCode::NOT_FOUND),
        Ok((id, Some(_))) => Reply::empty(StatusCode::OK).header("X-Subject-Token", &id),
    }
}

pub fn revoke_token(k5: &K5, call: &mut Call) -> Reply {
    match subject(k5, call) {
        Err(r) => r,
        Ok((id, None)) => token_not_found(call, &id),
        Ok((id, Some(_))) => {
            call.core.credentials.revoke(&id);
            Reply::empty(StatusCode::NO_CONTENT)
        }
    }
}

pub fn catalog(k5: &K5, call: &mut Call) -> Reply {
    let Some(t) = k5.caller(call) else { return unauthorized(call) };
    let region = k5.world().region.clone();
    let cat = match &t.scope {
        TokenScope::Project { id } => catalog_json(&region, &call.base_url, Some(id)),
        TokenScope::Domain { .. } => catalog_json(&region, &call.base_url, None),
        TokenScope::Unscoped => {
            return errors::keystone(
                StatusCode::FORBIDDEN,
                "A project-scoped or domain-scoped token is required to produce a service catalog.",
                &call.base_url,
            )
        }
    };
    json_line(
        StatusCode::OK,
        &json!({"catalog": cat, "links": {"self": format!("{}/v3/auth/catalog", call.base_url), "previous": null, "next": null}}),
    )
}

fn projects_of(k5: &K5, base: &str, user_id: &str, self_link: String) -> Value {
    let world = k5.world();
    let mut list = Vec::new();
    if let Some((_, u)) = world.user_by_id(user_id) {
        for (pid, roles) in &u.project_roles {
            if roles.is_empty() {
                continue;
            }
            if let Some((c, p)) = world.project(pid) {
                list.push(json!({
                    "id": p.id,
                    "name": p.name,
                    "description": p.description,
                    "enabled": true,
                    "domain_id": c.domain_id,
                    "parent_id": c.domain_id,
                    "is_domain": false,
                    "tags": [],
                    "links": {"self": format!("{base}/v3/projects/{}", p.id)},
                }));
            }
        }
    }
    json!({"projects": list, "links": {"self": self_link, "previous": null, "next": null}})
}

pub fn token_projects(k5: &K5, call: &mut Call) -> Reply {
    let Some(t) = k5.caller(call) else { return unauthorized(call) };
    let link = format!("{}/v3/auth/projects", call.base_url);
    json_line(StatusCode::OK, &projects_of(k5, &call.base_url, &t.user_id, link))
}

pub fn user_projects(k5: &K5, call: &mut Call) -> Reply {
    let Some(t) = k5.caller(call) else { return unauthorized(call) };
    let user_id = call.param("user_id").to_string();
    if user_id != t.user_id {
        return errors::keystone(
            StatusCode::FORBIDDEN,
            "You are not authorized to perform the requested action: identity:list_user_projects.",
            &call.base_url,
        );
    }
    let link = format!("{}/v3/users/{user_id}/projects", call.base_url);
    json_line(StatusCode::OK, &projects_of(k5, &call.base_url, &user_id, link))
}
