import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../settings/config-error";
import { awaitAnnotations } from "./await-annotations";
import { clusterSpec, Operand } from "./cluster-spec";
import type { CnpgSettings } from "./cnpg-settings";
import { connectionInfo, isKubeconfigContent } from "./connection";
import { databaseSpec } from "./database-spec";
import { dockerConfigJson } from "./docker-config-json";
import { imageCatalogSpec } from "./image-catalog-spec";
import { CNPG_CHART, operatorValues } from "./operator-chart";
import { requirePinnedReference } from "./pinned-reference";

const API_VERSION = "postgresql.cnpg.io/v1";

export interface CnpgClusterArgs {
    /** The validated `cnpg` setting (parseCnpgSettings). Required. */
    settings: CnpgSettings;
    /**
     * The full image this stack built: its reference pinned by digest (`repo@sha256:…`),
     * its PostgreSQL major and the UID/GID of its `postgres` user. Required.
     */
    image: { ref: pulumi.Input<string>; pgMajor: number; uid: number; gid: number };
    /** The extension-only image this stack built, pinned by digest. Pass it only when built. Default: `cnpg.extensionImage`. */
    extensionImageRef?: pulumi.Input<string>;
    /** Credentials of private registries the cluster pulls from, put in a pull secret. Default: none. */
    pullCredentials?: { address: string; username: string; password: pulumi.Input<string> }[];
}

/**
 * A CloudNativePG evaluation cluster running pg_trickle: the operator (Helm chart,
 * pinned), an ImageCatalog pinning the image by digest, the Cluster, and a Database
 * that creates the extension. Everything goes through an explicit Kubernetes provider
 * for the configured context, and `pulumi up` waits until the cluster is Ready and
 * the extension exists.
 */
export class CnpgCluster extends pulumi.ComponentResource {
    /** Namespace of the cluster. */
    readonly namespace: pulumi.Output<string>;
    /** Name of the CNPG Cluster. */
    readonly clusterName: pulumi.Output<string>;
    /** Read-write service host inside the cluster (`<cluster>-rw.<namespace>.svc`). */
    readonly host: pulumi.Output<string>;
    /** Secret with the application user's credentials (`<cluster>-app`). */
    readonly appSecretName: pulumi.Output<string>;
    /** `kubectl port-forward` and `psql` commands to connect from this machine. */
    readonly connectionHint: pulumi.Output<string>;
    /** The PostgreSQL image the cluster runs, pinned by digest. */
    readonly operandImage: pulumi.Output<string>;

    constructor(name: string, args: CnpgClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pgtrickle:index:CnpgCluster", name, {}, opts);
        const s = args.settings;
        // Settings errors surface before any resource is registered.
        const operand = operandOf(args);
        this.operandImage = operandImageOf(args);

        const provider = new k8s.Provider(
            `${name}-k8s`,
            {
                context: s.context,
                kubeconfig: s.kubeconfig !== undefined && isKubeconfigContent(s.kubeconfig) ? pulumi.secret(s.kubeconfig) : s.kubeconfig,
                renderYamlToDirectory: s.renderYamlToDirectory,
            },
            { parent: this },
        );
        const child = { parent: this, provider };

        const operator = s.operator.install ? installOperator(name, s.operator.namespace, child) : undefined;
        const afterOperator = operator ? [operator] : [];

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: s.namespace } }, child);
        const metadata = (objectName: string, annotations?: Record<string, string>) => ({
            name: objectName,
            namespace: namespace.metadata.name,
            ...(annotations ? { annotations } : {}),
        });

        const pullSecretName = `${s.clusterName}-pull`;
        const pullSecret = args.pullCredentials?.length
            ? new k8s.core.v1.Secret(
                  `${name}-pull-secret`,
                  {
                      metadata: metadata(pullSecretName),
                      type: "kubernetes.io/dockerconfigjson",
                      data: { ".dockerconfigjson": dockerConfigJsonData(args.pullCredentials) },
                  },
                  child,
              )
            : undefined;

        const catalogName = `${s.clusterName}-images`;
        const catalog = new k8s.apiextensions.CustomResource(
            `${name}-catalog`,
            {
                apiVersion: API_VERSION,
                kind: "ImageCatalog",
                metadata: metadata(catalogName),
                spec: imageCatalogSpec(args.image.pgMajor, this.operandImage),
            },
            { ...child, dependsOn: afterOperator },
        );

        const cluster = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            {
                apiVersion: API_VERSION,
                kind: "Cluster",
                metadata: metadata(s.clusterName, awaitAnnotations("condition=Ready", s.readyTimeoutSeconds)),
                spec: clusterSpec({
                    settings: s,
                    catalogName,
                    pgMajor: args.image.pgMajor,
                    operand,
                    pullSecretName: pullSecret ? pullSecretName : undefined,
                }),
            },
            {
                ...child,
                dependsOn: [...afterOperator, catalog, ...(pullSecret ? [pullSecret] : [])],
                // CNPG refuses to change the postgres UID/GID of a cluster (switching modes does): recreate it.
                replaceOnChanges: ["spec.postgresUID", "spec.postgresGID"],
                deleteBeforeReplace: true,
            },
        );

        new k8s.apiextensions.CustomResource(
            `${name}-database`,
            {
                apiVersion: API_VERSION,
                kind: "Database",
                metadata: metadata(
                    `${s.clusterName}-${s.database.replace(/_/g, "-")}`,
                    // Applied once CREATE EXTENSION succeeded: proof that the library loads.
                    awaitAnnotations("jsonpath={.status.applied}=true", s.readyTimeoutSeconds),
                ),
                spec: databaseSpec(s.clusterName, s.database, s.owner),
            },
            { ...child, dependsOn: [cluster] },
        );

        this.namespace = namespace.metadata.name;
        this.clusterName = cluster.metadata.name;
        const connection = pulumi.all([this.namespace, this.clusterName]).apply(([ns, clusterName]) =>
            connectionInfo({ namespace: ns, clusterName, database: s.database, owner: s.owner, context: s.context, kubeconfig: s.kubeconfig }),
        );
        this.host = connection.host;
        this.appSecretName = connection.appSecretName;
        this.connectionHint = connection.hint;
        this.registerOutputs({
            namespace: this.namespace,
            clusterName: this.clusterName,
            host: this.host,
            appSecretName: this.appSecretName,
            connectionHint: this.connectionHint,
            operandImage: this.operandImage,
        });
    }
}

/**
 * The operator from its Helm chart, in its own namespace. A Chart (not a Release) so it
 * renders to YAML too. It waits for every object it creates, the operator Deployment
 * included, whose readiness probe is the webhook server: whatever depends on it is
 * created only once the webhook answers.
 */
function installOperator(name: string, namespace: string, opts: pulumi.CustomResourceOptions): k8s.helm.v4.Chart {
    const ns = new k8s.core.v1.Namespace(`${name}-operator-ns`, { metadata: { name: namespace } }, opts);
    return new k8s.helm.v4.Chart(
        `${name}-operator`,
        {
            chart: CNPG_CHART.chart,
            version: CNPG_CHART.version,
            repositoryOpts: { repo: CNPG_CHART.repository },
            name: CNPG_CHART.releaseName,
            namespace: ns.metadata.name,
            values: operatorValues(),
            skipAwait: false,
        },
        opts,
    );
}

/** The image the catalog pins: the full image built by the stack, or CNPG's operand image in extension mode. */
function operandImageOf(args: CnpgClusterArgs): pulumi.Output<string> {
    if (args.settings.mode === "extension") {
        return pulumi.output(requireSetting(args.settings.operandImage, "cnpg.operandImage", "is required in extension mode"));
    }
    return pulumi
        .output(args.image.ref)
        .apply((ref) =>
            requirePinnedReference(
                ref,
                "cnpg.imageRepository",
                "this stack does not push the image where the cluster can pull it: turn push on, " +
                    "or set cnpg.imageRepository to a registry the cluster pulls from (e.g. localhost:5001/pg_trickle)",
            ),
        );
}

/** The operand of the configured mode; in extension mode the extension image built by the stack, else configured. */
function operandOf(args: CnpgClusterArgs): Operand {
    const s = args.settings;
    if (s.mode === "full") {
        return { mode: "full", uid: args.image.uid, gid: args.image.gid };
    }
    if (args.extensionImageRef === undefined) {
        const configured = requireSetting(
            s.extensionImage,
            "cnpg.extensionImage",
            "extension mode needs the extension-only image: build it (pulumi config set extensionImage true) " +
                "or set cnpg.extensionImage to a reference pinned by digest",
        );
        return { mode: "extension", extensionImage: configured };
    }
    if (s.extensionImage !== undefined) {
        throw new ConfigError("cnpg.extensionImage", "is set, but this stack builds the extension image itself (extensionImage = true); unset one of them");
    }
    const built = pulumi
        .output(args.extensionImageRef)
        .apply((ref) =>
            requirePinnedReference(
                ref,
                "cnpg.extensionImage",
                "this stack does not push the extension image where the cluster can pull it: turn push on, " +
                    "or set cnpg.extensionImage to a pinned reference and turn extensionImage off",
            ),
        );
    return { mode: "extension", extensionImage: built };
}

/** `.dockerconfigjson` of a pull secret, base64 as Secret data wants it, a Pulumi secret. */
function dockerConfigJsonData(credentials: NonNullable<CnpgClusterArgs["pullCredentials"]>): pulumi.Output<string> {
    return pulumi
        .all(credentials.map((c) => pulumi.output(c.password)))
        .apply((passwords) => {
            const json = dockerConfigJson(credentials.map((c, i) => ({ address: c.address, username: c.username, password: passwords[i] })));
            return pulumi.secret(Buffer.from(json).toString("base64"));
        });
}

function requireSetting<T>(value: T | undefined, key: string, problem: string): T {
    if (value === undefined) {
        throw new ConfigError(key, problem);
    }
    return value;
}
