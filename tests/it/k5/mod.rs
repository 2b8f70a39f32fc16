//! Tests of the k5 provider.
