import { PG_TRICKLE } from "./postgres-parameters";

/**
 * Spec of the CNPG Database that runs `CREATE EXTENSION pg_trickle` in the application
 * database (the image's initdb scripts do not run under CNPG, which runs its own initdb).
 */
export function databaseSpec(clusterName: string, database: string, owner: string) {
    return {
        cluster: { name: clusterName },
        name: database,
        owner,
        ensure: "present",
        extensions: [{ name: PG_TRICKLE, ensure: "present" }],
    };
}
