//! Tests of the zstack provider.
