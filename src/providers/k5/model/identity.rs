//! The identity world (contracts = Keystone domains, projects, users, roles) and issued tokens.
//!
//! The world comes from `fixtures/k5/identity.json` and does not change at run time; tokens live in the store,
//! keyed by the tenant they were scoped to, and their lifetime is owned by the core credential registry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityFile {
    pub region: String,
    #[serde(default = "default_ttl")]
    pub token_ttl_seconds: u64,
    /// Failed password attempts that lock a user for `lockout_minutes`; 0 turns lockout off (the default).
    #[serde(default)]
    pub lockout_failures: u32,
    #[serde(default = "default_lockout_minutes")]
    pub lockout_minutes: u64,
    pub roles: Vec<Role>,
    pub contracts: Vec<Contract>,
}

fn default_ttl() -> u64 {
    3 * 3600
}

fn default_lockout_minutes() -> u64 {
    15
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: String,
    pub name: String,
    /// May call the import/export API (otherwise 40301).
    pub can_import: bool,
    /// May write to object storage (otherwise Swift 403 on PUT/POST/DELETE).
    pub can_write_storage: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub domain_id: String,
    /// The contract number, used as the Keystone domain name.
    pub name: String,
    pub projects: Vec<Project>,
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub default_project_id: Option<String>,
    /// Project id → role names.
    #[serde(default)]
    pub project_roles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub domain_roles: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// The loaded world with lookups.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub region: String,
    pub token_ttl_seconds: u64,
    pub lockout_failures: u32,
    pub lockout_minutes: u64,
    pub roles: Vec<Role>,
    pub contracts: Vec<Contract>,
}

impl World {
    pub fn from_file(f: IdentityFile) -> Result<World, String> {
        let w = World {
            region: f.region,
            token_ttl_seconds: f.token_ttl_seconds,
            lockout_failures: f.lockout_failures,
            lockout_minutes: f.lockout_minutes,
            roles: f.roles,
            contracts: f.contracts,
        };
        w.check()?;
        Ok(w)
    }

    /// Dangling references and duplicate ids, named by field.
    fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for (ci, c) in self.contracts.iter().enumerate() {
            for id in std::iter::once(&c.domain_id)
                .chain(c.projects.iter().map(|p| &p.id))
                .chain(c.users.iter().map(|u| &u.id))
            {
                if !seen.insert(id.clone()) {
                    return Err(format!("contracts[{ci}]: duplicate id {id:?}"));
                }
            }
            for (ui, u) in c.users.iter().enumerate() {
                let at = format!("contracts[{ci}].users[{ui}]");
                if let Some(p) = &u.default_project_id {
                    if !c.projects.iter().any(|x| &x.id == p) {
                        return Err(format!("{at}.default_project_id: no project {p:?} in contract {}", c.name));
                    }
                }
                for (p, roles) in &u.project_roles {
                    if !c.projects.iter().any(|x| &x.id == p) {
                        return Err(format!("{at}.project_roles: no project {p:?} in contract {}", c.name));
                    }
                    for r in roles.iter().chain(u.domain_roles.iter()) {
                        if self.role(r).is_none() {
                            return Err(format!("{at}: unknown role {r:?}"));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// The contract and project for a project id.
    pub fn project(&self, id: &str) -> Option<(&Contract, &Project)> {
        self.contracts.iter().find_map(|c| c.projects.iter().find(|p| p.id == id).map(|p| (c, p)))
    }

    pub fn user_by_id(&self, id: &str) -> Option<(&Contract, &User)> {
        self.contracts.iter().find_map(|c| c.users.iter().find(|u| u.id == id).map(|u| (c, u)))
    }
}

/// What a token was scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TokenScope {
    Unscoped,
    Project { id: String },
    Domain { id: String },
}

/// An issued Keystone token. Its validity is the credential registry's answer, not a field here.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub domain_id: String,
    pub domain_name: String,
    pub methods: Vec<String>,
    pub scope: TokenScope,
    /// Role names held on the scope.
    pub roles: Vec<String>,
    pub issued_at: String,
    pub expires_at: String,
    pub audit_id: String,
}

impl Token {
    pub fn project_id(&self) -> Option<&str> {
        match &self.scope {
            TokenScope::Project { id } => Some(id),
            _ => None,
        }
    }
}
