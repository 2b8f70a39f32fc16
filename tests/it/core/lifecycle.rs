//! The lifecycle engine driven by the virtual clock, observed through the admin API.
