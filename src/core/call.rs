//! One request as a handler sees it (`Call`) and what a handler answers (`Reply`).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Method, StatusCode};
use serde::Serialize;

use super::Core;

pub struct Call {
    pub method: Method,
    /// The raw (still percent-encoded) path.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Path variables of the matched route, percent-decoded.
    pub params: Vec<(&'static str, String)>,
    /// The matched route's operation id (`provider.resource.action`).
    pub operation: &'static str,
    /// Set by the provider once it knows whose request this is (org, project, account, user).
    pub tenant: Option<String>,
    /// The credential (token, session id) the request presented, once the provider has read it; lets a scenario
    /// action expire exactly the credential of the request it matched.
    pub credential: Option<String>,
    /// `scheme://host[:port]` the client used (or `--public-url`): every URL handed back is built from it.
    pub base_url: String,
    pub core: Arc<Core>,
}

impl Call {
    /// A path variable of the matched route (`{name}` in the pattern). Routes always bind their variables, so a
    /// missing name is a programming error and answers the empty string rather than panicking on a request.
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Query parameters, percent-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        match &self.query {
            Some(q) => form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect(),
            None => Vec::new(),
        }
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    pub fn body_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// Parses the body as JSON into `T`; the error text is serde's, for providers to wrap in their own format.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    pub fn set_tenant(&mut self, tenant: impl Into<String>) {
        self.tenant = Some(tenant.into());
    }
}

/// A handler's answer. `hold` keeps the answer back for that much product time (sync operations whose real
/// counterpart takes a while), read off the product clock by the server.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub hold: Option<Duration>,
    /// Set by the core when a scenario asks for a broken connection instead of an answer.
    pub connection: ConnectionFate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectionFate {
    #[default]
    Answer,
    /// Close the connection without writing a response.
    Drop,
}

impl Reply {
    pub fn new(status: StatusCode) -> Reply {
        Reply { status, headers: HeaderMap::new(), body: Bytes::new(), hold: None, connection: ConnectionFate::Answer }
    }

    pub fn empty(status: StatusCode) -> Reply {
        Reply::new(status)
    }

    pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Reply::new(status).body(body).content_type("application/json")
    }

    pub fn text(status: StatusCode, text: impl Into<String>) -> Reply {
        Reply::new(status).body(text.into()).content_type("text/plain; charset=utf-8")
    }

    pub fn xml(status: StatusCode, xml: impl Into<String>) -> Reply {
        Reply::new(status).body(xml.into()).content_type("application/xml")
    }

    pub fn html(status: StatusCode, html: impl Into<String>) -> Reply {
        Reply::new(status).body(html.into()).content_type("text/html; charset=UTF-8")
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Reply {
        self.body = body.into();
        self
    }

    pub fn content_type(self, value: &'static str) -> Reply {
        self.header_static(CONTENT_TYPE, value)
    }

    fn header_static(mut self, name: HeaderName, value: &'static str) -> Reply {
        self.headers.insert(name, HeaderValue::from_static(value));
        self
    }

    /// Adds a header; a name or value that is not valid HTTP is skipped rather than failing the answer.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            self.headers.append(n, v);
        }
        self
    }

    pub fn hold(mut self, product: Duration) -> Reply {
        self.hold = Some(product);
        self
    }
}
