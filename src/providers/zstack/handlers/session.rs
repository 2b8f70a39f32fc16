//! LogInByAccount, LogOut and ValidateSession: sync APIs that need no Authorization header.

use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha512};

use super::super::errors::ErrorCode;
use super::super::model::{Session, MAX_SESSIONS_PER_ACCOUNT, SESSION_TIMEOUT_SECS};
use super::super::{dates, shapes, wire, ZStack};
use crate::core::call::{Call, Reply};
use crate::core::credentials::CredentialState;

const LOGIN_MSG: &str = "org.zstack.header.identity.APILogInByAccountMsg";
const LOGIN_FIELDS: &[&str] = &["accountName", "password", "accountType", "captchaUuid", "verifyCode"];

pub fn sha512_hex(text: &str) -> String {
    hex::encode(Sha512::digest(text.as_bytes()))
}

pub fn login(p: &ZStack, call: &mut Call) -> Reply {
    let body = match wire::body_map(call) {
        Ok(b) => b,
        Err(e) => return wire::rest_error(e),
    };
    let params = match wire::api_params(body.as_ref(), "logInByAccount", LOGIN_FIELDS) {
        Ok(p) => p,
        Err(e) => return wire::rest_error(e),
    };
    if let Err(e) = wire::job_uuid_header(call) {
        return wire::rest_error(e);
    }
    let core = call.core.clone();
    let Some(name) = params.string("accountName") else {
        return wire::failed(&ErrorCode::mandatory("accountName", LOGIN_MSG));
    };
    let Some(password) = params.string("password") else {
        return wire::failed(&ErrorCode::mandatory("password", LOGIN_MSG));
    };
    let account = p.account_by_name(&name).filter(|a| sha512_hex(&a.password).eq_ignore_ascii_case(&password));
    let Some(account) = account else {
        return wire::failed(&ErrorCode::bad_login());
    };
    call.set_tenant(account.name.clone());

    // Forget sessions that ended (logout, expiry), then enforce the per-account limit on the live ones.
    let mut live = 0;
    for s in p.sessions.list(&account.name) {
        match core.credentials.peek(&core.clock, &s.uuid) {
            CredentialState::Valid { .. } => live += 1,
            _ => {
                p.sessions.remove(&account.name, &s.uuid);
            }
        }
    }
    if live >= MAX_SESSIONS_PER_ACCOUNT {
        return wire::failed(&ErrorCode::too_many_sessions());
    }

    let uuid = p.new_uuid(&core);
    let created = p.now(&core);
    let expires = core.credentials.issue(
        &core.clock,
        "zstack",
        &account.name,
        &uuid,
        Duration::from_secs(SESSION_TIMEOUT_SECS),
        true,
    );
    p.sessions.insert(
        &account.name,
        &uuid,
        Session {
            uuid: uuid.clone(),
            account_uuid: account.uuid.clone(),
            account_name: account.name.clone(),
            create_date: created.clone(),
        },
    );
    call.credential = Some(uuid.clone());
    let mut out = json!({
        "inventory": {
            "uuid": uuid,
            "accountUuid": account.uuid,
            "userUuid": account.uuid,
            "userType": "AccountVO",
            "expiredDate": dates::format_date(expires),
            "createDate": created,
        }
    });
    if call.headers.contains_key(wire::HEADER_JSON_SCHEMA) {
        out["schema"] = json!({ "inventory": shapes::SESSION.class });
    }
    wire::ok(&out)
}

/// Logging out an unknown or already ended session also succeeds.
pub fn logout(p: &ZStack, call: &mut Call) -> Reply {
    if let Err(e) = wire::job_uuid_header(call) {
        return wire::rest_error(e);
    }
    let sid = call.param("sessionUuid").trim().to_string();
    call.core.credentials.revoke(&sid);
    if let Some((tenant, _, _)) = p.sessions.find_any(|_, s| s.uuid == sid) {
        call.set_tenant(tenant.clone());
        p.sessions.remove(&tenant, &sid);
    }
    wire::ok(&json!({}))
}

pub fn validate(p: &ZStack, call: &mut Call) -> Reply {
    if let Err(e) = wire::job_uuid_header(call) {
        return wire::rest_error(e);
    }
    let sid = call.param("sessionUuid").trim().to_string();
    let core = call.core.clone();
    let valid = matches!(core.credentials.peek(&core.clock, &sid), CredentialState::Valid { .. })
        && p.sessions.find_any(|_, s| s.uuid == sid).is_some();
    wire::ok(&json!({ "valid": Value::Bool(valid) }))
}
