//! Every token and session any provider issues. Real clients time credentials by their own wall clock and
//! hold one across long waits, so by default a credential ages in real (monotonic) time whatever the product
//! clock does; `--credential-clock product` makes it age with the product clock instead. Expiry is rehearsed
//! on purpose through `expire` (admin API and scenario action).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use dashmap::DashMap;
use serde::{Deserialize, Serialize};

use super::clock::Clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CredentialClock {
    Real,
    Product,
}

#[derive(Debug, Clone)]
struct Credential {
    provider: &'static str,
    tenant: String,
    lifetime: Duration,
    /// Idle-timeout credentials (vCenter sessions) are pushed forward by every use.
    idle: bool,
    last_real: Instant,
    last_product: u64,
    ended: Option<Ended>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ended {
    Expired,
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialState {
    Valid { tenant: String },
    Expired,
    Revoked,
    Unknown,
}

/// Which credentials an expire call applies to; every field narrows it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpireFilter {
    pub provider: Option<String>,
    pub tenant: Option<String>,
    pub token: Option<String>,
}

pub struct Credentials {
    mode: CredentialClock,
    map: DashMap<String, Credential>,
}

impl Credentials {
    pub fn new(mode: CredentialClock) -> Credentials {
        Credentials { mode, map: DashMap::new() }
    }

    pub fn mode(&self) -> CredentialClock {
        self.mode
    }

    /// Registers a credential and returns the wall-clock date at which it will expire, for the provider to
    /// report (`expires_at`, `expiredDate`, `expires_in`).
    pub fn issue(
        &self,
        clock: &Clock,
        provider: &'static str,
        tenant: &str,
        token: &str,
        lifetime: Duration,
        idle: bool,
    ) -> DateTime<Utc> {
        let cred = Credential {
            provider,
            tenant: tenant.to_string(),
            lifetime,
            idle,
            last_real: Instant::now(),
            last_product: clock.ticks(),
            ended: None,
        };
        self.map.insert(token.to_string(), cred);
        self.expires_at(clock, token).unwrap_or_else(Utc::now)
    }

    fn is_past(&self, clock: &Clock, c: &Credential) -> bool {
        match self.mode {
            CredentialClock::Real => c.last_real.elapsed() >= c.lifetime,
            CredentialClock::Product => clock.ticks().saturating_sub(c.last_product) >= c.lifetime.as_millis() as u64,
        }
    }

    /// Checks a presented credential; a valid idle-timeout credential is refreshed by the use.
    pub fn check(&self, clock: &Clock, token: &str) -> CredentialState {
        let Some(mut c) = self.map.get_mut(token) else { return CredentialState::Unknown };
        if c.ended.is_none() && self.is_past(clock, &c) {
            c.ended = Some(Ended::Expired);
        }
        match c.ended {
            Some(Ended::Expired) => CredentialState::Expired,
            Some(Ended::Revoked) => CredentialState::Revoked,
            None => {
                if c.idle {
                    c.last_real = Instant::now();
                    c.last_product = clock.ticks();
                }
                CredentialState::Valid { tenant: c.tenant.clone() }
            }
        }
    }

    /// Like `check`, but never refreshes an idle-timeout credential: for looking at a credential without
    /// using it (session-validity probes, counting a tenant's live sessions).
    pub fn peek(&self, clock: &Clock, token: &str) -> CredentialState {
        let Some(c) = self.map.get(token) else { return CredentialState::Unknown };
        match c.ended {
            Some(Ended::Expired) => CredentialState::Expired,
            Some(Ended::Revoked) => CredentialState::Revoked,
            None if self.is_past(clock, &c) => CredentialState::Expired,
            None => CredentialState::Valid { tenant: c.tenant.clone() },
        }
    }

    /// When a credential expires, as a wall-clock date consistent with the credential clock.
    pub fn expires_at(&self, clock: &Clock, token: &str) -> Option<DateTime<Utc>> {
        let c = self.map.get(token)?;
        let lifetime = chrono::Duration::from_std(c.lifetime).unwrap_or_else(|_| chrono::Duration::days(3650));
        Some(match self.mode {
            CredentialClock::Real => {
                Utc::now() - chrono::Duration::from_std(c.last_real.elapsed()).unwrap_or_default() + lifetime
            }
            CredentialClock::Product => clock.date_at(c.last_product) + lifetime,
        })
    }

    /// Logout / revocation: the credential stays refused.
    pub fn revoke(&self, token: &str) -> bool {
        match self.map.get_mut(token) {
            Some(mut c) => {
                c.ended = Some(Ended::Revoked);
                true
            }
            None => false,
        }
    }

    /// Marks every live credential matching the filter as expired; returns how many.
    pub fn expire(&self, f: &ExpireFilter) -> usize {
        let mut n = 0;
        for mut entry in self.map.iter_mut() {
            let matches = f.provider.as_deref().is_none_or(|p| entry.provider == p)
                && f.tenant.as_deref().is_none_or(|t| entry.tenant == t)
                && f.token.as_deref().is_none_or(|t| entry.key() == t);
            if matches && entry.ended.is_none() {
                entry.ended = Some(Ended::Expired);
                n += 1;
            }
        }
        n
    }

    /// Forgets credentials (reset): all, or one tenant's.
    pub fn clear(&self, tenant: Option<&str>) {
        match tenant {
            None => self.map.clear(),
            Some(t) => self.map.retain(|_, c| c.tenant != t),
        }
    }

    pub fn count(&self) -> usize {
        self.map.len()
    }
}
