//! The provider-neutral core: server, router, store, clock, lifecycles, credentials, journal, scenarios and the
//! admin API. Nothing in here names a provider; providers plug in through `provider::Provider`.

pub mod admin;
pub mod call;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod fixtures;
pub mod ids;
pub mod journal;
pub mod lifecycle;
pub mod provider;
pub mod router;
pub mod scenario;
pub mod server;
pub mod state_file;
pub mod tls;

use std::sync::{Arc, RwLock};

use serde_json::Value;

use self::clock::{Clock, ClockMode};
use self::config::{ClockArg, ServeArgs};
use self::credentials::Credentials;
use self::ids::Ids;
use self::journal::Journal;
use self::lifecycle::Lifecycles;
use self::provider::Provider;
use self::router::Router;
use self::scenario::Scenarios;
use self::store::Store;

pub mod store;

/// Builds the providers; each registers its store tables on the store it is given.
pub type ProviderFactory = fn(&Store) -> Vec<Arc<dyn Provider>>;

/// Owner index the router uses for the admin API's own routes.
pub const ADMIN_OWNER: usize = usize::MAX;

pub struct Core {
    pub config: ServeArgs,
    pub clock: Clock,
    pub store: Store,
    pub ids: Ids,
    pub lifecycles: Lifecycles,
    pub journal: Journal,
    pub credentials: Credentials,
    pub scenarios: Scenarios,
    pub tls: tls::Tls,
    providers: Vec<Arc<dyn Provider>>,
    router: Router,
    /// The store as the fixtures left it, for resets.
    fixture_snapshot: RwLock<Value>,
}

impl Core {
    /// Builds the world: providers, fixtures, state file, scenarios. Every error here is a start-up error.
    pub fn build(config: ServeArgs, factory: ProviderFactory) -> Result<Arc<Core>, String> {
        let mut config = config;
        // A start-up scenario may choose the clock (it cannot change under a running server).
        if let Some(clock) = scenario::clock_from_files(&config.scenarios)? {
            config.clock = match clock.mode {
                scenario::model::ClockMode::Real => ClockArg::Real,
                scenario::model::ClockMode::Virtual => ClockArg::Virtual,
            };
            if let Some(scale) = clock.time_scale {
                config.time_scale = scale;
            }
        }
        let mode = match config.clock {
            ClockArg::Real => ClockMode::Real,
            ClockArg::Virtual => ClockMode::Virtual,
        };
        let store = Store::new();
        let ids = Ids::new(config.seed, &store);
        let providers = factory(&store);
        let mut tables = Vec::new();
        for (i, p) in providers.iter().enumerate() {
            tables.push((i, p.prefixes(), p.clone().routes()));
        }
        tables.push((ADMIN_OWNER, vec![admin::PREFIX], admin::routes()));
        let router = Router::new(tables);
        let listen_host = config.listen.ip().to_string();
        let tls = tls::load(config.tls_cert.as_deref(), config.tls_key.as_deref(), &listen_host)?;
        let core = Arc::new(Core {
            tls,
            clock: Clock::new(mode, config.time_scale),
            journal: Journal::new(config.journal_size),
            credentials: Credentials::new(config.credential_clock),
            scenarios: Scenarios::default(),
            lifecycles: Lifecycles::default(),
            store,
            ids,
            providers,
            router,
            fixture_snapshot: RwLock::new(Value::Null),
            config,
        });
        core.load_fixtures()?;
        if let Some(path) = core.config.state_file.clone() {
            if path.exists() {
                state_file::load(&core, &path)?;
            }
        }
        for file in core.config.scenarios.clone() {
            core.scenarios.load_file(&core, &file)?;
        }
        Ok(core)
    }

    fn load_fixtures(&self) -> Result<(), String> {
        let names: Vec<&str> = self.providers.iter().map(|p| p.name()).collect();
        let sets = fixtures::load(self.config.fixtures.as_deref(), &names)?;
        for p in &self.providers {
            if let Some(files) = sets.get(p.name()) {
                p.load_fixtures(self, files)?;
            }
        }
        *self.fixture_snapshot.write().unwrap_or_else(|e| e.into_inner()) = self.store.snapshot(None);
        Ok(())
    }

    pub fn providers(&self) -> &[Arc<dyn Provider>] {
        &self.providers
    }

    pub fn provider(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.iter().find(|p| p.name() == name)
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    /// Whether an operation id exists: declared by a route, or named by a provider's route refinement.
    pub fn has_operation(&self, op: &str) -> bool {
        self.router.has_operation(op) || self.providers.iter().any(|p| p.refined_operations().contains(&op))
    }

    /// Puts the world back as the fixtures made it: everything, or one tenant's rows, lifecycles and
    /// credentials.
    pub fn reset(&self, tenant: Option<&str>) -> Result<(), String> {
        let snapshot = self.fixture_snapshot.read().unwrap_or_else(|e| e.into_inner()).clone();
        self.lifecycles.cancel_where(tenant);
        self.credentials.clear(tenant);
        match tenant {
            None => self.store.restore(&snapshot),
            Some(t) => self.store.restore_tenant(&snapshot, t),
        }
    }
}
