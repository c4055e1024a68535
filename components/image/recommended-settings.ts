/**
 * The PostgreSQL settings this project recommends for pg_trickle: the one list both the
 * image's defaults (docker/files/pg_trickle.conf, held to it by test/dockerfile.test.ts)
 * and the CloudNativePG cluster's parameters are made of, and what the smoke gate reads
 * back. Values as `pg_settings.setting` shows them, so the gate compares them as they are.
 * They follow pg_trickle 0.67.0 (its defaults in src/config.rs, INSTALL.md and its own image):
 */
export const RECOMMENDED_SETTINGS: Readonly<Record<string, string>> = {
    // Lets the default CDC mode move sources from triggers to WAL capture without a restart.
    wal_level: "logical",
    // The launcher, one scheduler per database and each dynamic refresh worker take a slot,
    // next to autovacuum and parallel query; INSTALL.md: "32 is a safe starting point".
    max_worker_processes: "32",
    // The scheduler refreshes stream tables on their schedules (pg_trickle's default).
    "pg_trickle.enabled": "on",
    // Triggers first, WAL capture once wal_level allows it (pg_trickle's default).
    "pg_trickle.cdc_mode": "auto",
    // Cluster-wide cap on refresh workers, budgeted in max_worker_processes (pg_trickle's default).
    "pg_trickle.max_dynamic_refresh_workers": "4",
};

/**
 * The extension's name, which is also its library (`module_pathname`), preloaded
 * because it registers GUCs, shared memory and background workers at start.
 */
export const PG_TRICKLE = "pg_trickle";

/**
 * What the full image configures: the recommended settings plus the preload (CloudNativePG
 * preloads through its own Cluster field instead).
 */
export const IMAGE_SETTINGS: Readonly<Record<string, string>> = {
    shared_preload_libraries: PG_TRICKLE,
    ...RECOMMENDED_SETTINGS,
};
