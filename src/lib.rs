//! mockcloud: cloud image-management APIs emulated on localhost.
//!
//! `core` is the provider-neutral machinery; `providers` holds one module per emulated cloud.

pub mod cli;
pub mod core;
pub mod logging;
pub mod providers;

use std::sync::Arc;

use crate::core::config::ServeArgs;
use crate::core::server::RunningServer;
use crate::core::Core;

/// Builds the world with every provider and starts serving (what `mockcloud serve` does, and what the
/// tests start on an ephemeral port).
pub async fn start(args: ServeArgs) -> Result<RunningServer, String> {
    start_with(args, providers::all).await
}

/// Like `start`, with another set of providers (tests of the core use a provider of their own).
pub async fn start_with(args: ServeArgs, factory: crate::core::ProviderFactory) -> Result<RunningServer, String> {
    let core: Arc<Core> = Core::build(args, factory)?;
    crate::core::server::start(core).await
}
