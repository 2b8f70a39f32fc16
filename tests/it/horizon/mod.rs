//! Tests of the horizon provider.
