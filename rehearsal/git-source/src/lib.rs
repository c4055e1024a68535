//! STAND-IN of pg_trickle's source for pg-trickle-infra's release rehearsal (never compiled).

/// The version this tree is tagged as.
pub const VERSION: &str = "@VERSION@";
