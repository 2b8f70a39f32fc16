//! `POST /v3/auth/tokens` request parsing: identity methods, user naming and scope, with Keystone's 400/401 split.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrId {
    Id(String),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    Id(String),
    Name { name: String, domain: NameOrId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Password { user: UserRef, password: String },
    Token { id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No scope in the request: Keystone falls back to the user's default project.
    Default,
    /// `"scope": "unscoped"` asks explicitly for an unscoped token.
    Unscoped,
    ProjectId(String),
    ProjectName {
        name: String,
        domain: NameOrId,
    },
    Domain(NameOrId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    pub identity: Identity,
    pub scope: Scope,
}

/// Keystone's split: malformed requests are 400 (with a message naming the field), unsupported methods 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthParseError {
    BadRequest(String),
    Unauthorized,
}

const COMPLY: &str = "The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.";

fn bad(msg: impl Into<String>) -> AuthParseError {
    AuthParseError::BadRequest(format!("{} {COMPLY}", msg.into()))
}

fn required(field: &str, name: &str) -> AuthParseError {
    bad(format!("Invalid input for field '{field}': '{name}' is a required property."))
}

fn obj<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>, AuthParseError> {
    v.as_object().ok_or_else(|| bad(format!("Invalid input for field '{field}': {v} is not of type 'object'.")))
}

fn child<'a>(m: &'a Map<String, Value>, field: &str, key: &str) -> Result<&'a Value, AuthParseError> {
    m.get(key).ok_or_else(|| required(field, key))
}

fn string(v: &Value, field: &str) -> Result<String, AuthParseError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| bad(format!("Invalid input for field '{field}': {v} is not of type 'string'.")))
}

fn name_or_id(v: &Value, field: &str) -> Result<NameOrId, AuthParseError> {
    let m = obj(v, field)?;
    if let Some(id) = m.get("id") {
        return Ok(NameOrId::Id(string(id, &format!("{field}/id"))?));
    }
    if let Some(name) = m.get("name") {
        return Ok(NameOrId::Name(string(name, &format!("{field}/name"))?));
    }
    Err(bad(format!("Expecting to find id or name in {}.", field.rsplit('/').next().unwrap_or(field))))
}

pub fn parse_auth_request(body: &[u8]) -> Result<AuthRequest, AuthParseError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| bad("The request body could not be parsed as JSON."))?;
    let root = obj(&v, "")?;
    let auth = obj(child(root, "", "auth")?, "auth")?;
    let identity = obj(child(auth, "auth", "identity")?, "auth/identity")?;
    let methods = child(identity, "auth/identity", "methods")?
        .as_array()
        .ok_or_else(|| bad("Invalid input for field 'auth/identity/methods': not of type 'array'."))?;
    let methods: Vec<&str> = methods
        .iter()
        .map(|m| m.as_str().ok_or_else(|| bad("Invalid input for field 'auth/identity/methods': not a string.")))
        .collect::<Result<_, _>>()?;
    let Some(method) = methods.first() else {
        return Err(bad("Invalid input for field 'auth/identity/methods': [] is too short."));
    };
    let identity = match *method {
        "password" => {
            let pw = obj(child(identity, "auth/identity", "password")?, "auth/identity/password")?;
            let user = obj(child(pw, "auth/identity/password", "user")?, "auth/identity/password/user")?;
            let password = string(
                child(user, "auth/identity/password/user", "password")?,
                "auth/identity/password/user/password",
            )?;
            let user = if let Some(id) = user.get("id") {
                UserRef::Id(string(id, "auth/identity/password/user/id")?)
            } else if let Some(name) = user.get("name") {
                let name = string(name, "auth/identity/password/user/name")?;
                let domain = user.get("domain").ok_or_else(|| bad("Expecting to find domain in user."))?;
                UserRef::Name { name, domain: name_or_id(domain, "auth/identity/password/user/domain")? }
            } else {
                return Err(bad("Expecting to find id or name in user."));
            };
            Identity::Password { user, password }
        }
        "token" => {
            let t = obj(child(identity, "auth/identity", "token")?, "auth/identity/token")?;
            Identity::Token { id: string(child(t, "auth/identity/token", "id")?, "auth/identity/token/id")? }
        }
        _ => return Err(AuthParseError::Unauthorized),
    };
    let scope = match auth.get("scope") {
        None | Some(Value::Null) => Scope::Default,
        Some(Value::String(s)) if s == "unscoped" => Scope::Unscoped,
        Some(s) => {
            let s = obj(s, "auth/scope")?;
            match (s.get("project"), s.get("domain")) {
                (Some(_), Some(_)) => return Err(bad("Specifying both project and domain scope is not allowed.")),
                (Some(p), None) => {
                    let p = obj(p, "auth/scope/project")?;
                    if let Some(id) = p.get("id") {
                        Scope::ProjectId(string(id, "auth/scope/project/id")?)
                    } else if let Some(name) = p.get("name") {
                        let name = string(name, "auth/scope/project/name")?;
                        let domain = p.get("domain").ok_or_else(|| bad("Expecting to find domain in project."))?;
                        Scope::ProjectName { name, domain: name_or_id(domain, "auth/scope/project/domain")? }
                    } else {
                        return Err(bad("Expecting to find id or name in project."));
                    }
                }
                (None, Some(d)) => Scope::Domain(name_or_id(d, "auth/scope/domain")?),
                (None, None) => Scope::Default,
            }
        }
    };
    Ok(AuthRequest { identity, scope })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<AuthRequest, AuthParseError> {
        parse_auth_request(s.as_bytes())
    }

    #[test]
    fn k5_sample_body() {
        let r = parse(r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"K5DEMO01"},"name":"alice","password":"pw"}}},"scope":{"project":{"id":"p1"}}}}"#).unwrap();
        assert_eq!(
            r.identity,
            Identity::Password {
                user: UserRef::Name { name: "alice".into(), domain: NameOrId::Name("K5DEMO01".into()) },
                password: "pw".into()
            }
        );
        assert_eq!(r.scope, Scope::ProjectId("p1".into()));
    }

    #[test]
    fn other_shapes() {
        let r =
            parse(r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u1","password":"pw"}}}}}"#)
                .unwrap();
        assert_eq!(r.scope, Scope::Default);
        let r = parse(r#"{"auth":{"identity":{"methods":["token"],"token":{"id":"t"}},"scope":{"project":{"name":"p","domain":{"id":"d"}}}}}"#).unwrap();
        assert_eq!(r.identity, Identity::Token { id: "t".into() });
        assert_eq!(r.scope, Scope::ProjectName { name: "p".into(), domain: NameOrId::Id("d".into()) });
        let r = parse(
            r#"{"auth":{"identity":{"methods":["token"],"token":{"id":"t"}},"scope":{"domain":{"name":"K5DEMO01"}}}}"#,
        )
        .unwrap();
        assert_eq!(r.scope, Scope::Domain(NameOrId::Name("K5DEMO01".into())));
        let r = parse(r#"{"auth":{"identity":{"methods":["token"],"token":{"id":"t"}},"scope":"unscoped"}}"#).unwrap();
        assert_eq!(r.scope, Scope::Unscoped);
    }

    #[test]
    fn errors() {
        let is_bad = |s: &str, needle: &str| match parse(s) {
            Err(AuthParseError::BadRequest(m)) => assert!(m.contains(needle), "{m}"),
            other => panic!("{other:?}"),
        };
        is_bad("nope", "could not be parsed as JSON");
        is_bad("[]", "is not of type 'object'");
        is_bad("{}", "'auth' is a required property");
        is_bad(r#"{"auth":{}}"#, "'identity' is a required property");
        is_bad(r#"{"auth":{"identity":{}}}"#, "'methods'");
        is_bad(r#"{"auth":{"identity":{"methods":[]}}}"#, "too short");
        is_bad(r#"{"auth":{"identity":{"methods":["password"]}}}"#, "'password' is a required property");
        is_bad(
            r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"a","password":"p"}}}}}"#,
            "domain in user",
        );
        is_bad(
            r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"a","domain":{"name":"d"}}}}}}"#,
            "'password' is a required property",
        );
        is_bad(
            r#"{"auth":{"identity":{"methods":["token"],"token":{"id":"t"}},"scope":{"project":{"id":"p"},"domain":{"id":"d"}}}}"#,
            "both project and domain",
        );
        is_bad(r#"{"auth":{"identity":{"methods":["token"],"token":{"id":5}}}}"#, "not of type 'string'");
        assert_eq!(parse(r#"{"auth":{"identity":{"methods":["totp"]}}}"#), Err(AuthParseError::Unauthorized));
    }
}
