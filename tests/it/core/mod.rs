//! Tests of the provider-neutral core: admin API, journal, routing errors, clock, state file, shutdown.

mod admin;
mod lifecycle;
mod shutdown;
