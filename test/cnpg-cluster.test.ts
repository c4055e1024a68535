import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { CnpgClusterArgs } from "../components/cnpg/cnpg-cluster";
import { parseCnpgSettings } from "../components/cnpg/cnpg-settings";
import { installMockRuntime, PlannedResource } from "../plan/mock-runtime";
import { maskSecrets } from "../plan/render";

const DIGEST = `sha256:${"c".repeat(64)}`;
const FULL_REF = `localhost:5001/pg_trickle@${DIGEST}`;
const EXT_REF = `localhost:5001/pg_trickle-ext@${DIGEST}`;
const OPERAND = `ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@${DIGEST}`;
const IMAGE = { ref: FULL_REF, pgMajor: 18, uid: 999, gid: 999 };

/** Options the mock monitor sees but the recorder does not keep. */
interface Options {
    provider: string;
    providers: Record<string, string>;
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
}

let recorded: PlannedResource[];
const options = new Map<string, Options>();
let CnpgCluster: typeof import("../components/cnpg/cnpg-cluster").CnpgCluster;

beforeAll(async () => {
    recorded = (await installMockRuntime("pg-trickle-infra", "test")).resources;
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: any, cb: unknown): Promise<void> };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: unknown) => {
        options.set(req.getName(), {
            provider: req.getProvider(),
            providers: Object.fromEntries(req.getProvidersMap().entries()),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
        });
        return register(req, cb);
    };
    // Resources are created after the mocks are in place.
    ({ CnpgCluster } = await import("../components/cnpg/cnpg-cluster"));
});

/** Resolves an output (rejecting when the output failed). */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

async function deploy(name: string, cnpg: Record<string, unknown>, extra: Partial<CnpgClusterArgs> = {}) {
    const settings = parseCnpgSettings({ enabled: true, context: "kind-pg-trickle", ...cnpg });
    const component = new CnpgCluster(name, { settings, image: IMAGE, ...extra });
    const outputs = {
        namespace: await valueOf(component.namespace),
        clusterName: await valueOf(component.clusterName),
        host: await valueOf(component.host),
        appSecretName: await valueOf(component.appSecretName),
        connectionHint: await valueOf(component.connectionHint),
        operandImage: await valueOf(component.operandImage),
    };
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const resources = recorded.filter((r) => r.name.startsWith(`${name}-`));
    const find = (type: string, suffix: string) => {
        const r = resources.find((x) => x.type === type && x.name === `${name}-${suffix}`);
        if (!r) {
            throw new Error(`no ${type} ${name}-${suffix}; have ${resources.map((x) => `${x.type} ${x.name}`).join(", ")}`);
        }
        return r;
    };
    return { component, outputs, resources, find, inputs: (r: PlannedResource) => r.inputs as Record<string, any> };
}

/** Inputs with Pulumi's secret wrappers removed. */
function unwrapSecrets(value: any): any {
    if (typeof value !== "object" || value === null) {
        return value;
    }
    if (maskSecrets(value) === "[secret]") {
        return unwrapSecrets(value.value);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const CATALOG = "kubernetes:postgresql.cnpg.io/v1:ImageCatalog";
const DATABASE = "kubernetes:postgresql.cnpg.io/v1:Database";
const CHART = "kubernetes:helm.sh/v4:Chart";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const SECRET = "kubernetes:core/v1:Secret";
const PROVIDER = "pulumi:providers:kubernetes";

describe("CnpgCluster, full mode", () => {
    let d: Awaited<ReturnType<typeof deploy>>;
    beforeAll(async () => {
        d = await deploy("full", {});
    });

    it("is one component holding everything", () => {
        const component = recorded.find((r) => r.type === "pgtrickle:index:CnpgCluster" && r.name === "full");
        expect(component).toBeDefined();
        expect(d.resources.every((r) => r.parent === "full")).toBe(true);
    });

    it("builds an explicit provider for the configured context", () => {
        expect(d.inputs(d.find(PROVIDER, "k8s"))).toEqual({ context: "kind-pg-trickle" });
    });

    it("creates every Kubernetes object through that provider", () => {
        const provider = d.resources.filter((r) => r.type !== PROVIDER && r.type !== CHART);
        expect(provider.length).toBe(5);
        for (const r of provider) {
            expect(options.get(r.name)?.provider, r.name).toMatch(/pulumi:providers:kubernetes::full-k8s::/);
        }
        const chart = options.get("full-operator")!;
        expect(chart.provider || chart.providers.kubernetes).toMatch(/pulumi:providers:kubernetes::full-k8s::/);
    });

    it("installs the pinned operator chart in its own namespace", () => {
        expect(d.inputs(d.find(NAMESPACE, "operator-ns")).metadata).toEqual({ name: "cnpg-system" });
        expect(d.inputs(d.find(CHART, "operator"))).toEqual({
            chart: "cloudnative-pg",
            version: "0.29.0",
            repositoryOpts: { repo: "https://cloudnative-pg.github.io/charts" },
            name: "cnpg",
            namespace: "cnpg-system",
            values: { crds: { create: true }, config: { clusterWide: true } },
            skipAwait: false,
        });
    });

    it("pins the catalog entry to the given digest reference", () => {
        const catalog = d.inputs(d.find(CATALOG, "catalog"));
        expect(catalog.metadata).toEqual({ name: "pg-trickle-images", namespace: "pg-trickle" });
        expect(catalog.spec).toEqual({ images: [{ major: 18, image: FULL_REF }] });
        expect(d.outputs.operandImage).toBe(FULL_REF);
    });

    it("runs the Cluster from that catalog as the image's postgres user (999:999)", () => {
        const spec = d.inputs(d.find(CLUSTER, "cluster")).spec;
        expect(spec.imageCatalogRef).toEqual({ apiGroup: "postgresql.cnpg.io", kind: "ImageCatalog", name: "pg-trickle-images", major: 18 });
        expect(spec).not.toHaveProperty("imageName");
        expect(spec.postgresUID).toBe(999);
        expect(spec.postgresGID).toBe(999);
        expect(spec.postgresql.shared_preload_libraries).toEqual(["pg_trickle"]);
        expect(spec.postgresql).not.toHaveProperty("extensions");
    });

    it("orders the Cluster after the operator and the catalog, and the Database after the Cluster", () => {
        expect(d.find(CATALOG, "catalog").dependencies).toContain("full-operator");
        expect(d.find(CLUSTER, "cluster").dependencies).toEqual(expect.arrayContaining(["full-operator", "full-catalog", "full-ns"]));
        expect(d.find(DATABASE, "database").dependencies).toContain("full-cluster");
    });

    it("waits for the Cluster to be Ready and the extension to exist, with the configured timeout", () => {
        expect(d.inputs(d.find(CLUSTER, "cluster")).metadata.annotations).toEqual({
            "pulumi.com/waitFor": "condition=Ready",
            "pulumi.com/timeoutSeconds": "600",
        });
        expect(d.inputs(d.find(DATABASE, "database")).metadata.annotations).toEqual({
            "pulumi.com/waitFor": "jsonpath={.status.applied}=true",
            "pulumi.com/timeoutSeconds": "600",
        });
    });

    it("recreates the Cluster when the postgres UID/GID changes (CNPG refuses to update them)", () => {
        expect(options.get("full-cluster")).toMatchObject({
            replaceOnChanges: ["spec.postgresUID", "spec.postgresGID"],
            deleteBeforeReplace: true,
        });
    });

    it("creates pg_trickle in the application database", () => {
        const db = d.inputs(d.find(DATABASE, "database"));
        expect(db.metadata.name).toBe("pg-trickle-app");
        expect(db.spec).toEqual({
            cluster: { name: "pg-trickle" },
            name: "app",
            owner: "app",
            ensure: "present",
            extensions: [{ name: "pg_trickle", ensure: "present" }],
        });
    });

    it("creates no pull secret without credentials", () => {
        expect(d.resources.filter((r) => r.type === SECRET)).toEqual([]);
        expect(d.inputs(d.find(CLUSTER, "cluster")).spec).not.toHaveProperty("imagePullSecrets");
    });

    it("outputs where and how to connect", () => {
        expect(d.outputs).toMatchObject({
            namespace: "pg-trickle",
            clusterName: "pg-trickle",
            host: "pg-trickle-rw.pg-trickle.svc",
            appSecretName: "pg-trickle-app",
        });
        expect(d.outputs.connectionHint).toContain("kubectl --context kind-pg-trickle -n pg-trickle port-forward svc/pg-trickle-rw 15432:5432");
        expect(d.outputs.connectionHint).toContain("get secret pg-trickle-app");
    });
});

describe("CnpgCluster, extension mode", () => {
    it("runs the pinned operand image and mounts the extension image this stack built", async () => {
        const d = await deploy("ext", { mode: "extension", operandImage: OPERAND }, { extensionImageRef: EXT_REF });
        expect(d.inputs(d.find(CATALOG, "catalog")).spec).toEqual({ images: [{ major: 18, image: OPERAND }] });
        const spec = d.inputs(d.find(CLUSTER, "cluster")).spec;
        expect(spec.postgresql.extensions).toEqual([{ name: "pg_trickle", image: { reference: EXT_REF } }]);
        expect(spec).not.toHaveProperty("postgresUID");
        expect(d.outputs.operandImage).toBe(OPERAND);
    });

    it("takes the extension image from cnpg.extensionImage when the stack does not build it", async () => {
        const configured = `docker.io/pgtrickle/pg_trickle-ext:0.67.0-pg18@${DIGEST}`;
        const d = await deploy("extcfg", { mode: "extension", operandImage: OPERAND, extensionImage: configured });
        expect(d.inputs(d.find(CLUSTER, "cluster")).spec.postgresql.extensions).toEqual([{ name: "pg_trickle", image: { reference: configured } }]);
    });
});

describe("CnpgCluster options", () => {
    it("passes kubeconfig and renderYamlToDirectory to the provider; kubeconfig content as a secret", async () => {
        const content = "apiVersion: v1\nkind: Config\n";
        const d = await deploy("render", { kubeconfig: content, renderYamlToDirectory: "out/cnpg" });
        expect(maskSecrets(d.inputs(d.find(PROVIDER, "k8s")))).toEqual({
            context: "kind-pg-trickle",
            kubeconfig: "[secret]",
            renderYamlToDirectory: "out/cnpg",
        });
        const path = await deploy("kubepath", { kubeconfig: "/home/me/.kube/kind" });
        expect(path.inputs(path.find(PROVIDER, "k8s")).kubeconfig).toBe("/home/me/.kube/kind");
        expect(path.outputs.connectionHint).toContain("kubectl --kubeconfig /home/me/.kube/kind --context kind-pg-trickle");
    });

    it("skips the operator when the cluster already has one", async () => {
        const d = await deploy("noop", { operator: { install: false } });
        expect(d.resources.filter((r) => r.type === CHART || r.name === "noop-operator-ns")).toEqual([]);
        expect(d.find(CLUSTER, "cluster").dependencies).not.toContain("noop-operator");
    });

    it("pulls private images with a dockerconfigjson secret whose data is a Pulumi secret", async () => {
        const d = await deploy(
            "private",
            {},
            { pullCredentials: [{ address: "ghcr.io", username: "bot", password: pulumi.secret("t0ken") }] },
        );
        const secret = d.inputs(d.find(SECRET, "pull-secret"));
        expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
        expect(secret.metadata).toEqual({ name: "pg-trickle-pull", namespace: "pg-trickle" });
        expect(maskSecrets(secret.data)).toBe("[secret]");
        const json = JSON.parse(Buffer.from(unwrapSecrets(secret.data)[".dockerconfigjson"], "base64").toString());
        expect(json.auths["ghcr.io"]).toMatchObject({ username: "bot", password: "t0ken" });
        const cluster = d.find(CLUSTER, "cluster");
        expect((cluster.inputs as any).spec.imagePullSecrets).toEqual([{ name: "pg-trickle-pull" }]);
        expect(cluster.dependencies).toContain("private-pull-secret");
    });

    it("uses the configured names, sizes and timeout", async () => {
        const d = await deploy("named", {
            namespace: "eval",
            clusterName: "pgt",
            instances: 2,
            storage: { size: "5Gi", storageClass: "fast" },
            database: "shop_db",
            owner: "shop",
            readyTimeoutSeconds: 1200,
            operator: { namespace: "operators" },
        });
        const cluster = d.inputs(d.find(CLUSTER, "cluster"));
        expect(cluster.metadata).toMatchObject({ name: "pgt", namespace: "eval", annotations: { "pulumi.com/timeoutSeconds": "1200" } });
        expect(cluster.spec).toMatchObject({ instances: 2, storage: { size: "5Gi", storageClass: "fast" }, bootstrap: { initdb: { database: "shop_db", owner: "shop" } } });
        expect(d.inputs(d.find(DATABASE, "database")).metadata.name).toBe("pgt-shop-db");
        expect(d.inputs(d.find(CHART, "operator")).namespace).toBe("operators");
        expect(d.outputs.host).toBe("pgt-rw.eval.svc");
    });
});

describe("CnpgCluster errors", () => {
    const settings = (cnpg: Record<string, unknown>) => parseCnpgSettings({ enabled: true, context: "kind-pg-trickle", ...cnpg });

    it("needs an extension image in extension mode", async () => {
        expect(() => new CnpgCluster("noext", { settings: settings({ mode: "extension", operandImage: OPERAND }), image: IMAGE })).toThrow(
            "Invalid config pg-trickle-infra:cnpg.extensionImage: extension mode needs the extension-only image",
        );
        // Thrown before any Kubernetes object is registered.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(recorded.filter((r) => r.name.startsWith("noext-"))).toEqual([]);
    });

    it("refuses two sources for the extension image", () => {
        const s = settings({ mode: "extension", operandImage: OPERAND, extensionImage: EXT_REF });
        expect(() => new CnpgCluster("twoext", { settings: s, image: IMAGE, extensionImageRef: EXT_REF })).toThrow(
            "Invalid config pg-trickle-infra:cnpg.extensionImage: is set, but this stack builds the extension image itself",
        );
    });
});
