//! Method + path (+ an optional query discriminator) → route. Patterns are compiled once at start-up; routes
//! are indexed by their first segment so a lookup only compares a handful of candidates.

use std::collections::HashMap;

use hyper::Method;

use super::provider::Route;

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Lit(String),
    /// `{name}`, or `prefix{name}` such as vCenter's `id:{id}`.
    Var {
        prefix: String,
        name: &'static str,
    },
    /// `{name+}`: the rest of the path (Swift object names contain slashes).
    Tail(&'static str),
}

struct Compiled {
    segs: Vec<Seg>,
    query: Option<(String, String)>,
    /// Which provider (index) owns the route.
    owner: usize,
    route: Route,
}

impl Compiled {
    /// Higher sorts first: query-constrained, then more literal segments, then no tail.
    fn specificity(&self) -> (bool, usize, bool, usize) {
        let lits = self.segs.iter().filter(|s| matches!(s, Seg::Lit(_))).count();
        let tail = self.segs.iter().any(|s| matches!(s, Seg::Tail(_)));
        (self.query.is_some(), lits, !tail, self.segs.len())
    }

    /// Checks the whole pattern before decoding any variable: most candidates fail on a later literal or on
    /// the segment count, and decoding (an allocation per variable) for them was a tenth of a request's cost.
    fn match_path(&self, segs: &[&str]) -> Option<Vec<(&'static str, String)>> {
        let tail = matches!(self.segs.last(), Some(Seg::Tail(_)));
        if if tail { segs.len() < self.segs.len() } else { segs.len() != self.segs.len() } {
            return None;
        }
        for (seg, s) in self.segs.iter().zip(segs) {
            let ok = match seg {
                Seg::Lit(l) => s == l,
                Seg::Var { prefix, .. } => s.len() > prefix.len() && s.starts_with(prefix.as_str()),
                Seg::Tail(_) => {
                    let rest = &segs[self.segs.len() - 1..];
                    !rest.iter().all(|s| s.is_empty())
                }
            };
            if !ok {
                return None;
            }
        }
        let mut params = Vec::new();
        for (i, seg) in self.segs.iter().enumerate() {
            match seg {
                Seg::Lit(_) => {}
                Seg::Var { prefix, name } => params.push((*name, decode(&segs[i][prefix.len()..]))),
                Seg::Tail(name) => params.push((*name, decode(&segs[i..].join("/")))),
            }
        }
        Some(params)
    }

    fn match_query(&self, query: Option<&str>) -> bool {
        match &self.query {
            None => true,
            Some((k, v)) => {
                query.is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(qk, qv)| qk == *k && qv == *v))
            }
        }
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn compile(pattern: &'static str) -> (Vec<Seg>, Option<(String, String)>) {
    let (path, query) = match pattern.split_once('?') {
        Some((p, q)) => (p, q.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))),
        None => (pattern, None),
    };
    let segs = split(path)
        .into_iter()
        .map(|s: &'static str| match (s.find('{'), s.ends_with('}')) {
            (Some(open), true) => {
                let name: &'static str = &s[open + 1..s.len() - 1];
                match name.strip_suffix('+') {
                    Some(n) => Seg::Tail(n),
                    None => Seg::Var { prefix: s[..open].to_string(), name },
                }
            }
            _ => Seg::Lit(s.to_string()),
        })
        .collect();
    (segs, query)
}

/// Path segments; a trailing slash is kept as an empty last segment only when the path is not just `/`.
fn split(path: &str) -> Vec<&str> {
    let p = path.strip_prefix('/').unwrap_or(path);
    if p.is_empty() {
        Vec::new()
    } else {
        p.split('/').collect()
    }
}

pub enum Lookup<'a> {
    Found {
        route: &'a Route,
        owner: usize,
        params: Vec<(&'static str, String)>,
    },
    /// The path exists with other methods.
    WrongMethod {
        owner: usize,
        allowed: Vec<Method>,
    },
    NotFound,
}

pub struct Router {
    by_first: HashMap<String, Vec<usize>>,
    /// Routes whose first segment is a variable or that have no segments at all.
    wildcard_first: Vec<usize>,
    routes: Vec<Compiled>,
    /// Path prefix → owning provider, longest first.
    prefixes: Vec<(String, usize)>,
}

impl Router {
    pub fn new(tables: Vec<(usize, Vec<&'static str>, Vec<Route>)>) -> Router {
        let mut routes = Vec::new();
        let mut prefixes = Vec::new();
        for (owner, owned, table) in tables {
            prefixes.extend(owned.into_iter().map(|p| (p.to_string(), owner)));
            for route in table {
                let (segs, query) = compile(route.pattern);
                routes.push(Compiled { segs, query, owner, route });
            }
        }
        routes.sort_by_key(|c| std::cmp::Reverse(c.specificity()));
        prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wildcard_first = Vec::new();
        for (i, c) in routes.iter().enumerate() {
            match c.segs.first() {
                Some(Seg::Lit(l)) => by_first.entry(l.clone()).or_default().push(i),
                _ => wildcard_first.push(i),
            }
        }
        Router { by_first, wildcard_first, routes, prefixes }
    }

    pub fn lookup(&self, method: &Method, path: &str, query: Option<&str>) -> Lookup<'_> {
        let segs = split(path);
        let first = segs.first().copied().unwrap_or("");
        let candidates = self.by_first.get(first).map(|v| v.as_slice()).unwrap_or(&[]);
        let mut allowed: Vec<Method> = Vec::new();
        let mut owner_of_path = None;
        for &i in candidates.iter().chain(self.wildcard_first.iter()) {
            let c = &self.routes[i];
            let Some(params) = c.match_path(&segs) else { continue };
            if !c.match_query(query) {
                continue;
            }
            if c.route.method == *method
                || (*method == Method::HEAD && c.route.method == Method::GET && !self.has_head(i, &segs))
            {
                return Lookup::Found { route: &c.route, owner: c.owner, params };
            }
            owner_of_path.get_or_insert(c.owner);
            if !allowed.contains(&c.route.method) {
                allowed.push(c.route.method.clone());
            }
        }
        match owner_of_path {
            Some(owner) => Lookup::WrongMethod { owner, allowed },
            None => Lookup::NotFound,
        }
    }

    /// Whether an explicit HEAD route also matches (then GET must not answer HEAD).
    fn has_head(&self, _i: usize, segs: &[&str]) -> bool {
        self.routes.iter().any(|c| c.route.method == Method::HEAD && c.match_path(segs).is_some())
    }

    /// The provider that owns a path by prefix, for 404s of paths no route knows.
    pub fn owner_of(&self, path: &str) -> Option<usize> {
        self.prefixes.iter().find(|(p, _)| path.starts_with(p.as_str())).map(|(_, o)| *o)
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().map(|c| &c.route)
    }

    /// Every operation id, for validating journal filters and scenarios.
    pub fn has_operation(&self, op: &str) -> bool {
        self.routes.iter().any(|c| c.route.operation == op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::call::Reply;
    use std::sync::Arc;

    fn r(method: Method, pattern: &'static str, op: &'static str) -> Route {
        Route {
            method,
            pattern,
            operation: op,
            handler: Arc::new(|_| Reply::empty(hyper::StatusCode::OK)),
            refine: None,
        }
    }

    fn router() -> Router {
        Router::new(vec![(
            0,
            vec!["/x/"],
            vec![
                r(Method::GET, "/x/items/{id}", "x.item.get"),
                r(Method::GET, "/x/items/special", "x.item.special"),
                r(Method::POST, "/x/lib/id:{id}?~action=deploy", "x.lib.deploy"),
                r(Method::POST, "/x/lib/id:{id}?~action=filter", "x.lib.filter"),
                r(Method::GET, "/x/obj/{c}/{name+}", "x.obj.get"),
            ],
        )])
    }

    fn op(l: Lookup) -> &'static str {
        match l {
            Lookup::Found { route, .. } => route.operation,
            Lookup::WrongMethod { .. } => "405",
            Lookup::NotFound => "404",
        }
    }

    #[test]
    fn literals_beat_variables_and_queries_pick_actions() {
        let rt = router();
        assert_eq!(op(rt.lookup(&Method::GET, "/x/items/special", None)), "x.item.special");
        assert_eq!(op(rt.lookup(&Method::GET, "/x/items/42", None)), "x.item.get");
        assert_eq!(op(rt.lookup(&Method::POST, "/x/lib/id:7", Some("~action=filter"))), "x.lib.filter");
        assert_eq!(op(rt.lookup(&Method::POST, "/x/lib/id:7", Some("~action=deploy"))), "x.lib.deploy");
        assert_eq!(op(rt.lookup(&Method::POST, "/x/lib/7", Some("~action=deploy"))), "404");
        assert_eq!(op(rt.lookup(&Method::DELETE, "/x/items/42", None)), "405");
        assert_eq!(op(rt.lookup(&Method::HEAD, "/x/items/42", None)), "x.item.get");
    }

    #[test]
    fn tails_take_the_rest_decoded() {
        let rt = router();
        match rt.lookup(&Method::GET, "/x/obj/c1/a/b%20c.vmdk", None) {
            Lookup::Found { params, .. } => assert_eq!(params, vec![("c", "c1".into()), ("name", "a/b c.vmdk".into())]),
            _ => panic!("no match"),
        }
    }
}
