//! The one in-memory store: typed tables keyed by (tenant, id). Providers register their tables at start-up
//! and keep the typed handle; the store keeps an erased view of every table so that snapshots (state file,
//! `GET /_mockcloud/state`) and resets (all, or one tenant) work without knowing any provider.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};

/// Rows of one table, per tenant. A BTreeMap per tenant keeps listings deterministic for a fixed seed.
pub struct Table<T> {
    name: String,
    rows: DashMap<String, BTreeMap<String, T>>,
}

impl<T: Clone> Table<T> {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn get(&self, tenant: &str, id: &str) -> Option<T> {
        self.rows.get(tenant)?.get(id).cloned()
    }

    pub fn contains(&self, tenant: &str, id: &str) -> bool {
        self.rows.get(tenant).is_some_and(|t| t.contains_key(id))
    }

    /// Reads a row without cloning it.
    pub fn with<R>(&self, tenant: &str, id: &str, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.rows.get(tenant)?.get(id).map(f)
    }

    /// Changes a row in place; the tenant's rows are locked for the duration of `f`, so `f` must not touch
    /// the same table again.
    pub fn update<R>(&self, tenant: &str, id: &str, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.rows.get_mut(tenant)?.get_mut(id).map(f)
    }

    pub fn insert(&self, tenant: &str, id: &str, row: T) -> Option<T> {
        self.rows.entry(tenant.to_string()).or_default().insert(id.to_string(), row)
    }

    /// Inserts only if the id is free; returns false (and drops `row`) when it is taken.
    pub fn insert_new(&self, tenant: &str, id: &str, row: T) -> bool {
        let mut rows = self.rows.entry(tenant.to_string()).or_default();
        if rows.contains_key(id) {
            return false;
        }
        rows.insert(id.to_string(), row);
        true
    }

    pub fn remove(&self, tenant: &str, id: &str) -> Option<T> {
        self.rows.get_mut(tenant)?.remove(id)
    }

    /// Every row of one tenant, ordered by id.
    pub fn list(&self, tenant: &str) -> Vec<T> {
        self.rows.get(tenant).map(|t| t.values().cloned().collect()).unwrap_or_default()
    }

    /// Maps every row of one tenant without cloning the rows themselves.
    pub fn map<R>(&self, tenant: &str, f: impl FnMut(&T) -> R) -> Vec<R> {
        self.rows.get(tenant).map(|t| t.values().map(f).collect()).unwrap_or_default()
    }

    pub fn count(&self, tenant: &str) -> usize {
        self.rows.get(tenant).map(|t| t.len()).unwrap_or(0)
    }

    /// Rows of one tenant that satisfy `keep`, cloned.
    pub fn filter(&self, tenant: &str, mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
        self.rows.get(tenant).map(|t| t.values().filter(|r| keep(r)).cloned().collect()).unwrap_or_default()
    }

    /// Finds a row in any tenant; for ids that are unique across tenants (tokens, sessions, upload slots).
    pub fn find_any(&self, mut pred: impl FnMut(&str, &T) -> bool) -> Option<(String, String, T)> {
        for t in self.rows.iter() {
            for (id, row) in t.value() {
                if pred(t.key(), row) {
                    return Some((t.key().clone(), id.clone(), row.clone()));
                }
            }
        }
        None
    }

    pub fn tenants(&self) -> Vec<String> {
        let mut v: Vec<String> = self.rows.iter().map(|t| t.key().clone()).collect();
        v.sort();
        v
    }
}

/// What the store needs from a table without knowing its row type.
trait ErasedTable: Send + Sync {
    fn dump(&self) -> Value;
    fn dump_tenant(&self, tenant: &str) -> Value;
    fn load(&self, value: &Value) -> Result<(), String>;
    /// Parses without storing, so a restore can refuse a bad snapshot before touching any table.
    fn check(&self, value: &Value) -> Result<(), String>;
    fn clear(&self);
    fn clear_tenant(&self, tenant: &str);
    fn load_tenant(&self, value: &Value, tenant: &str) -> Result<(), String>;
}

impl<T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static> ErasedTable for Table<T> {
    fn dump(&self) -> Value {
        let mut out = Map::new();
        for tenant in self.tenants() {
            out.insert(tenant.clone(), self.dump_tenant(&tenant));
        }
        Value::Object(out)
    }

    fn dump_tenant(&self, tenant: &str) -> Value {
        let mut out = Map::new();
        if let Some(rows) = self.rows.get(tenant) {
            for (id, row) in rows.iter() {
                out.insert(id.clone(), serde_json::to_value(row).unwrap_or(Value::Null));
            }
        }
        Value::Object(out)
    }

    fn load(&self, value: &Value) -> Result<(), String> {
        let parsed = parse_rows::<T>(value)?;
        self.rows.clear();
        for (tenant, rows) in parsed {
            self.rows.insert(tenant, rows);
        }
        Ok(())
    }

    fn check(&self, value: &Value) -> Result<(), String> {
        parse_rows::<T>(value).map(|_| ())
    }

    fn clear(&self) {
        self.rows.clear();
    }

    fn clear_tenant(&self, tenant: &str) {
        self.rows.remove(tenant);
    }

    fn load_tenant(&self, value: &Value, tenant: &str) -> Result<(), String> {
        let mut parsed = parse_rows::<T>(value)?;
        self.rows.remove(tenant);
        if let Some(rows) = parsed.remove(tenant) {
            self.rows.insert(tenant.to_string(), rows);
        }
        Ok(())
    }
}

type TenantRows<T> = BTreeMap<String, BTreeMap<String, T>>;

fn parse_rows<T: DeserializeOwned>(value: &Value) -> Result<TenantRows<T>, String> {
    let tenants = value.as_object().ok_or("a table must be an object of tenants")?;
    let mut out = BTreeMap::new();
    for (tenant, rows) in tenants {
        let rows = rows.as_object().ok_or_else(|| format!("tenant {tenant:?}: rows must be an object keyed by id"))?;
        let mut parsed = BTreeMap::new();
        for (id, row) in rows {
            let row = T::deserialize(row).map_err(|e| format!("tenant {tenant:?}, row {id:?}: {e}"))?;
            parsed.insert(id.clone(), row);
        }
        out.insert(tenant.clone(), parsed);
    }
    Ok(out)
}

#[derive(Default)]
pub struct Store {
    tables: RwLock<BTreeMap<String, Arc<dyn ErasedTable>>>,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// Registers a table under a unique name (`provider.resource`) and hands back its typed handle.
    pub fn table<T>(&self, name: &str) -> Arc<Table<T>>
    where
        T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        let table = Arc::new(Table { name: name.to_string(), rows: DashMap::new() });
        let mut tables = self.tables.write().unwrap_or_else(|e| e.into_inner());
        assert!(!tables.contains_key(name), "table {name} registered twice");
        tables.insert(name.to_string(), table.clone());
        table
    }

    fn tables(&self) -> Vec<(String, Arc<dyn ErasedTable>)> {
        let tables = self.tables.read().unwrap_or_else(|e| e.into_inner());
        tables.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn table_names(&self) -> Vec<String> {
        self.tables().into_iter().map(|(k, _)| k).collect()
    }

    /// `{table: {tenant: {id: row}}}`, optionally for one tenant only.
    pub fn snapshot(&self, tenant: Option<&str>) -> Value {
        let mut out = Map::new();
        for (name, table) in self.tables() {
            let v = match tenant {
                None => table.dump(),
                Some(t) => {
                    let mut m = Map::new();
                    m.insert(t.to_string(), table.dump_tenant(t));
                    Value::Object(m)
                }
            };
            out.insert(name, v);
        }
        Value::Object(out)
    }

    /// Replaces every table with the snapshot's content. All tables are parsed before any is changed, so a
    /// bad snapshot changes nothing.
    pub fn restore(&self, snapshot: &Value) -> Result<(), String> {
        let obj = snapshot.as_object().ok_or("the tables must be an object")?;
        let tables = self.tables();
        for name in obj.keys() {
            if !tables.iter().any(|(n, _)| n == name) {
                return Err(format!("unknown table {name:?}"));
            }
        }
        let empty = Value::Object(Map::new());
        for (name, table) in &tables {
            let v = obj.get(name).unwrap_or(&empty);
            table.check(v).map_err(|e| format!("table {name:?}: {e}"))?;
        }
        for (name, table) in &tables {
            table.load(obj.get(name).unwrap_or(&empty)).map_err(|e| format!("table {name:?}: {e}"))?;
        }
        Ok(())
    }

    /// Puts one tenant's rows back to what the snapshot holds for it (rows of other tenants are untouched).
    pub fn restore_tenant(&self, snapshot: &Value, tenant: &str) -> Result<(), String> {
        let empty = Value::Object(Map::new());
        for (name, table) in self.tables() {
            let v = snapshot.get(&name).unwrap_or(&empty);
            table.load_tenant(v, tenant).map_err(|e| format!("table {name:?}: {e}"))?;
        }
        Ok(())
    }

    pub fn clear(&self) {
        for (_, table) in self.tables() {
            table.clear();
        }
    }

    pub fn clear_tenant(&self, tenant: &str) {
        for (_, table) in self.tables() {
            table.clear_tenant(tenant);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_do_not_see_each_other_and_reset_per_tenant() {
        let store = Store::new();
        let t = store.table::<String>("test.rows");
        t.insert("a", "1", "one".into());
        t.insert("b", "1", "uno".into());
        let snap = store.snapshot(None);
        t.insert("a", "2", "two".into());
        t.remove("b", "1");
        assert_eq!(t.list("a").len(), 2);
        store.restore_tenant(&snap, "a").unwrap();
        assert_eq!(t.list("a"), vec!["one".to_string()]);
        assert!(t.get("b", "1").is_none());
        store.restore(&snap).unwrap();
        assert_eq!(t.get("b", "1").as_deref(), Some("uno"));
    }

    #[test]
    fn restore_refuses_bad_rows_without_changing_anything() {
        let store = Store::new();
        let t = store.table::<u32>("test.nums");
        t.insert("a", "x", 7);
        let bad = serde_json::json!({"test.nums": {"a": {"x": "not a number"}}});
        assert!(store.restore(&bad).is_err());
        assert_eq!(t.get("a", "x"), Some(7));
    }
}
