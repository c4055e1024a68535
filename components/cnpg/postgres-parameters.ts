import { ConfigError } from "../settings/config-error";
import { isPlainObject } from "../settings/config-values";
import { PG_TRICKLE, RECOMMENDED_SETTINGS } from "../image/recommended-settings";

export { PG_TRICKLE };

/**
 * Parameters CloudNativePG manages itself: its webhook rejects a Cluster that sets
 * them (FixedConfigurationParameters of CNPG 1.30, pkg/postgres/configuration.go).
 */
export const CNPG_FIXED_PARAMETERS: ReadonlySet<string> = new Set([
    "allow_system_table_mods",
    "archive_cleanup_command",
    "archive_command",
    "archive_mode",
    "bonjour",
    "bonjour_name",
    "cluster_name",
    "config_file",
    "data_directory",
    "data_sync_retry",
    "event_source",
    "external_pid_file",
    "hba_file",
    "hot_standby",
    "ident_file",
    "jit_provider",
    "listen_addresses",
    "log_destination",
    "log_directory",
    "log_file_mode",
    "log_filename",
    "log_rotation_age",
    "log_rotation_size",
    "log_truncate_on_rotation",
    "logging_collector",
    "pg_failover_slots.primary_dsn",
    "pg_failover_slots.standby_slot_names",
    "port",
    "primary_conninfo",
    "primary_slot_name",
    "promote_trigger_file",
    "recovery_end_command",
    "recovery_min_apply_delay",
    "recovery_target",
    "recovery_target_action",
    "recovery_target_inclusive",
    "recovery_target_lsn",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_timeline",
    "recovery_target_xid",
    "restart_after_crash",
    "restore_command",
    "shared_preload_libraries",
    "ssl",
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_crl_file",
    "ssl_dh_params_file",
    "ssl_ecdh_curve",
    "ssl_key_file",
    "ssl_passphrase_command",
    "ssl_passphrase_command_supports_reload",
    "ssl_prefer_server_ciphers",
    "stats_temp_directory",
    "synchronized_standby_slots",
    "synchronous_standby_names",
    "syslog_facility",
    "syslog_ident",
    "syslog_sequence_numbers",
    "syslog_split_messages",
    "temp_tablespaces",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
]);

const KEY = "cnpg.parameters";
const NAME_RE = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;

/**
 * Validates `cnpg.parameters` and lays them over the recommended settings, the same the
 * image starts with (components/image/recommended-settings.ts). Numbers and
 * booleans (what `pulumi config set --path` stores for `200` or `true`) become strings.
 */
export function parsePostgresParameters(raw: unknown): Record<string, string> {
    if (raw === undefined) {
        return { ...RECOMMENDED_SETTINGS };
    }
    if (!isPlainObject(raw)) {
        throw new ConfigError(KEY, `must be an object of PostgreSQL settings, e.g. {"work_mem": "64MB"}, got ${JSON.stringify(raw)}`);
    }
    const overrides: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
        const at = `${KEY}.${name}`;
        if (!NAME_RE.test(name)) {
            throw new ConfigError(at, `"${name}" is not a PostgreSQL setting name (lowercase, e.g. work_mem or pg_trickle.enabled)`);
        }
        if (name === "shared_preload_libraries") {
            throw new ConfigError(
                at,
                `is managed by CloudNativePG: the cluster preloads ${PG_TRICKLE} through spec.postgresql.shared_preload_libraries ` +
                    "(CNPG adds pg_stat_statements, auto_explain and pgaudit itself when their settings are present); remove it",
            );
        }
        if (CNPG_FIXED_PARAMETERS.has(name)) {
            throw new ConfigError(at, "is fixed by CloudNativePG, whose webhook rejects a Cluster that sets it; remove it");
        }
        if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
            throw new ConfigError(at, `must be a string, number or boolean, got ${JSON.stringify(value)}`);
        }
        overrides[name] = String(value);
    }
    const walLevel = overrides.wal_level;
    if (walLevel !== undefined && walLevel !== "logical" && walLevel !== "replica") {
        // CNPG archives WAL by default, which needs replica or logical.
        throw new ConfigError(`${KEY}.wal_level`, `must be logical (recommended: WAL-based change capture) or replica, got "${walLevel}"`);
    }
    return { ...RECOMMENDED_SETTINGS, ...overrides };
}
