//! Tests of the vcenter provider.
