//! `com.vmware.cis.session`: login with fixture users, session info, logout. Validity is the core credential
//! registry's (idle timeout, ageing in real time by default); the row keeps what `get` reports.

use std::time::Duration;

use serde_json::{json, Value};

use super::{now, Ctx};
use crate::core::credentials::CredentialState;
use crate::core::Core;
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::model::Session;
use crate::providers::vcenter::Vcenter;

/// Idle timeout of a vCenter session (the real default is 30 minutes).
pub const IDLE: Duration = Duration::from_secs(30 * 60);

pub fn create(ctx: &Ctx, _input: &Value) -> Result<Value, VapiError> {
    let Some((user, password)) = &ctx.login else { return Err(VapiError::unauthenticated()) };
    let Some(u) = ctx.p.find_user(user) else { return Err(VapiError::unauthenticated()) };
    if &u.password != password {
        return Err(VapiError::unauthenticated());
    }
    let sid = ctx.core.ids.hex32();
    let t = now(ctx);
    ctx.p.sessions.insert(
        &u.user,
        &sid,
        Session { user: u.user.clone(), created_time: t.clone(), last_accessed_time: t },
    );
    ctx.core.credentials.issue(&ctx.core.clock, "vcenter", &u.user, &sid, IDLE, true);
    Ok(Value::String(sid))
}

pub fn get(ctx: &Ctx, _input: &Value) -> Result<Value, VapiError> {
    let sid = ctx.session_id.as_deref().unwrap_or("");
    let s = ctx.p.sessions.get(&ctx.user, sid).ok_or_else(VapiError::unauthenticated)?;
    Ok(
        json!({"user": display_user(&s.user), "created_time": s.created_time, "last_accessed_time": s.last_accessed_time}),
    )
}

pub fn delete(ctx: &Ctx, _input: &Value) -> Result<Value, VapiError> {
    let sid = ctx.session_id.as_deref().unwrap_or("");
    ctx.core.credentials.revoke(sid);
    ctx.p.sessions.remove(&ctx.user, sid);
    Ok(Value::Null)
}

/// vCenter reports the user as `DOMAIN\name` (`VSPHERE.LOCAL\Administrator`).
fn display_user(user: &str) -> String {
    match user.split_once('@') {
        Some((name, domain)) => {
            let mut n = name.to_string();
            if let Some(f) = n.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            format!("{}\\{}", domain.to_ascii_uppercase(), n)
        }
        None => user.to_string(),
    }
}

/// Checks a presented session id: the user it belongs to, or `unauthenticated`. Touches `last_accessed_time`.
pub fn authenticate(core: &Core, p: &Vcenter, sid: Option<&str>) -> Result<String, VapiError> {
    let sid = sid.filter(|s| !s.is_empty()).ok_or_else(VapiError::unauthenticated)?;
    match core.credentials.check(&core.clock, sid) {
        CredentialState::Valid { tenant } => {
            let t = crate::providers::vcenter::model::vapi_time(core.clock.now());
            p.sessions.update(&tenant, sid, |s| s.last_accessed_time = t).ok_or_else(VapiError::unauthenticated)?;
            Ok(tenant)
        }
        _ => Err(VapiError::unauthenticated()),
    }
}
