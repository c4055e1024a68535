/** Where clients find the cluster, from CNPG's naming conventions. */
export interface ConnectionInfo {
    /** In-cluster host of the read-write service (the primary). */
    host: string;
    /** Secret CNPG creates with the application user's credentials (username, password, uri, …). */
    appSecretName: string;
    /** Commands to paste: port-forward the read-write service, then psql with the app password. */
    hint: string;
}

export interface ConnectionInput {
    namespace: string;
    clusterName: string;
    database: string;
    owner: string;
    /** kubeconfig context, when configured. */
    context?: string;
    /** kubeconfig setting (a path or the file's content). */
    kubeconfig?: string;
}

/** Local port of the port-forward: not 5432, which a local PostgreSQL often holds. */
export const LOCAL_PORT = 15432;

export function connectionInfo(c: ConnectionInput): ConnectionInfo {
    const rwService = `${c.clusterName}-rw`;
    const appSecretName = `${c.clusterName}-app`;
    const kubectl = [
        "kubectl",
        // Content cannot be passed on the command line; a path can.
        ...(c.kubeconfig && !isKubeconfigContent(c.kubeconfig) ? ["--kubeconfig", shellQuote(c.kubeconfig)] : []),
        ...(c.context ? ["--context", shellQuote(c.context)] : []),
        "-n",
        c.namespace,
    ].join(" ");
    const hint = [
        `${kubectl} port-forward svc/${rwService} ${LOCAL_PORT}:5432 &`,
        `PGPASSWORD="$(${kubectl} get secret ${appSecretName} -o jsonpath='{.data.password}' | base64 -d)" ` +
            `psql -h 127.0.0.1 -p ${LOCAL_PORT} -U ${c.owner} ${c.database}`,
    ].join("\n");
    return { host: `${rwService}.${c.namespace}.svc`, appSecretName, hint };
}

function shellQuote(s: string): string {
    return /^[A-Za-z0-9_.:/@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The kubeconfig setting holds the file itself (YAML spans lines), not a path to it. */
export function isKubeconfigContent(kubeconfig: string): boolean {
    return kubeconfig.includes("\n");
}
