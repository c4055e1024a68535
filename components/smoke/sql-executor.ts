/** Whether the server accepts connections; `reason` says why not. */
export type ReadyProbe = { ready: true } | { ready: false; reason: string; final?: boolean };

/**
 * Runs SQL against one PostgreSQL database. The smoke checks are written against this
 * interface so the same code runs against the image's container in `pulumi up` and
 * against a local PostgreSQL in tests.
 */
export interface SqlExecutor {
    /**
     * One readiness probe. `final` marks a state that will not get better by waiting
     * (e.g. the container exited), so waiting stops early.
     */
    probe(): Promise<ReadyProbe>;
    /** Runs one statement and returns its rows as text (NULL and '' both read as ''). Rejects with the server's error. */
    query(sql: string): Promise<string[][]>;
}
