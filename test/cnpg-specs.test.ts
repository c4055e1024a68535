import { describe, expect, it } from "vitest";
import { awaitAnnotations } from "../components/cnpg/await-annotations";
import { clusterSpec, ClusterSpecInput, Operand } from "../components/cnpg/cluster-spec";
import { parseCnpgSettings } from "../components/cnpg/cnpg-settings";
import { connectionInfo } from "../components/cnpg/connection";
import { databaseSpec } from "../components/cnpg/database-spec";
import { dockerConfigJson } from "../components/cnpg/docker-config-json";
import { imageCatalogSpec } from "../components/cnpg/image-catalog-spec";
import { CNPG_CHART, operatorValues } from "../components/cnpg/operator-chart";
import { chartValuesValidator, crdValidator } from "./support/crd-schema";

const DIGEST = `sha256:${"b".repeat(64)}`;
const FULL_IMAGE = `localhost:5001/pg_trickle@${DIGEST}`;
const EXT_IMAGE = `localhost:5001/pg_trickle-ext@${DIGEST}`;
const OPERAND = `ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@${DIGEST}`;

const resource = (kind: string, name: string, spec: unknown, annotations?: Record<string, string>) => ({
    apiVersion: "postgresql.cnpg.io/v1",
    kind,
    metadata: { name, namespace: "pg-trickle", ...(annotations ? { annotations } : {}) },
    spec,
});

const MINIMAL = parseCnpgSettings({ enabled: true, context: "kind-pg-trickle" });
const MAXIMAL = parseCnpgSettings({
    enabled: true,
    context: "kind-pg-trickle",
    instances: 3,
    storage: { size: "10Gi", storageClass: "standard" },
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: 2, memory: "2Gi" } },
    database: "shop",
    owner: "shop_owner",
    parameters: { work_mem: "64MB", max_connections: 200 },
    enableSuperuserAccess: true,
});
const FULL: Operand = { mode: "full", uid: 999, gid: 999 };
const EXTENSION: Operand = { mode: "extension", extensionImage: EXT_IMAGE };

const input = (settings = MINIMAL, operand: Operand = FULL, pullSecretName?: string): ClusterSpecInput => ({
    settings,
    catalogName: "pg-trickle-images",
    pgMajor: 18,
    operand,
    pullSecretName,
});

/** What CNPG's validating webhook checks of these specs, beyond the CRD schema. */
function webhookErrors(name: string, spec: ReturnType<typeof clusterSpec>): string[] {
    const errors: string[] = [];
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 50) {
        errors.push("cluster name must be a DNS-1035 label of at most 50 characters");
    }
    const { database, owner } = spec.bootstrap.initdb;
    if (!database !== !owner) {
        errors.push("initdb needs both database and owner");
    }
    if ("shared_preload_libraries" in spec.postgresql.parameters) {
        errors.push("shared_preload_libraries is a fixed parameter");
    }
    const extensions: { name: string }[] = (spec.postgresql as { extensions?: { name: string }[] }).extensions ?? [];
    const volumes = extensions.map((e) => e.name.replace(/_/g, "-"));
    if (new Set(volumes).size !== volumes.length) {
        errors.push("extension names collide after sanitization");
    }
    return errors;
}

describe("CNPG specs against the CNPG 1.30 CRD schemas", () => {
    const validateCluster = crdValidator("Cluster");
    const validateCatalog = crdValidator("ImageCatalog");
    const validateDatabase = crdValidator("Database");

    it.each([
        ["full mode, minimal settings", input(MINIMAL, FULL)],
        ["full mode, every setting and a pull secret", input(MAXIMAL, FULL, "pg-trickle-pull")],
        ["extension mode, minimal settings", input(MINIMAL, EXTENSION)],
        ["extension mode, every setting and a pull secret", input(MAXIMAL, EXTENSION, "pg-trickle-pull")],
    ])("Cluster, %s", (_, specInput) => {
        const spec = clusterSpec(specInput);
        const annotations = awaitAnnotations("condition=Ready", 600);
        expect(validateCluster(resource("Cluster", "pg-trickle", spec, annotations))).toEqual([]);
        expect(webhookErrors("pg-trickle", spec)).toEqual([]);
    });

    it.each([
        ["full image", FULL_IMAGE],
        ["operand image", OPERAND],
    ])("ImageCatalog with the %s", (_, image) => {
        expect(validateCatalog(resource("ImageCatalog", "pg-trickle-images", imageCatalogSpec(18, image)))).toEqual([]);
    });

    it("Database", () => {
        const spec = databaseSpec("pg-trickle", "shop", "shop_owner");
        const annotations = awaitAnnotations("jsonpath={.status.applied}=true", 600);
        expect(validateDatabase(resource("Database", "pg-trickle-shop", spec, annotations))).toEqual([]);
    });

    it("a spec with a typo would not pass (the checks above can fail)", () => {
        const spec = { ...clusterSpec(input()), postgresUid: 999 };
        expect(validateCluster(resource("Cluster", "pg-trickle", spec))).toEqual(['/spec: must NOT have additional properties ("postgresUid")']);
    });
});

describe("clusterSpec", () => {
    it("runs the full image from the catalog as UID/GID 999 with pg_trickle preloaded", () => {
        expect(clusterSpec(input(MINIMAL, FULL))).toEqual({
            instances: 1,
            imageCatalogRef: { apiGroup: "postgresql.cnpg.io", kind: "ImageCatalog", name: "pg-trickle-images", major: 18 },
            postgresUID: 999,
            postgresGID: 999,
            enableSuperuserAccess: false,
            storage: { size: "1Gi" },
            bootstrap: { initdb: { database: "app", owner: "app" } },
            postgresql: {
                shared_preload_libraries: ["pg_trickle"],
                parameters: {
                    wal_level: "logical",
                    max_worker_processes: "32",
                    "pg_trickle.enabled": "on",
                    "pg_trickle.cdc_mode": "auto",
                    "pg_trickle.max_dynamic_refresh_workers": "4",
                },
            },
        });
    });

    it("mounts the extension image in extension mode and keeps CNPG's UID", () => {
        const spec = clusterSpec(input(MINIMAL, EXTENSION));
        expect(spec).not.toHaveProperty("postgresUID");
        expect(spec).not.toHaveProperty("postgresGID");
        expect(spec.postgresql).toMatchObject({
            shared_preload_libraries: ["pg_trickle"],
            extensions: [{ name: "pg_trickle", image: { reference: EXT_IMAGE } }],
        });
    });

    it("passes storage, resources, instances, pull secret and superuser access through", () => {
        expect(clusterSpec(input(MAXIMAL, FULL, "pg-trickle-pull"))).toMatchObject({
            instances: 3,
            imagePullSecrets: [{ name: "pg-trickle-pull" }],
            enableSuperuserAccess: true,
            storage: { size: "10Gi", storageClass: "standard" },
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
            bootstrap: { initdb: { database: "shop", owner: "shop_owner" } },
            postgresql: { parameters: { work_mem: "64MB", max_connections: "200" } },
        });
    });
});

describe("databaseSpec and imageCatalogSpec", () => {
    it("creates pg_trickle in the application database", () => {
        expect(databaseSpec("pg-trickle", "app", "app")).toEqual({
            cluster: { name: "pg-trickle" },
            name: "app",
            owner: "app",
            ensure: "present",
            extensions: [{ name: "pg_trickle", ensure: "present" }],
        });
    });

    it("pins the image under its PostgreSQL major", () => {
        expect(imageCatalogSpec(18, FULL_IMAGE)).toEqual({ images: [{ major: 18, image: FULL_IMAGE }] });
    });
});

describe("operatorValues", () => {
    it("installs the CRDs and watches every namespace", () => {
        expect(operatorValues()).toEqual({ crds: { create: true }, config: { clusterWide: true } });
    });

    it("are valid for chart 0.29.0, as Helm checks them and without undeclared keys", () => {
        expect(chartValuesValidator({ closed: false })(operatorValues())).toEqual([]);
        expect(chartValuesValidator({ closed: true })(operatorValues())).toEqual([]);
    });

    it("pins chart 0.29.0 (operator 1.30.0) from the official repository", () => {
        expect(CNPG_CHART).toMatchObject({
            repository: "https://cloudnative-pg.github.io/charts",
            chart: "cloudnative-pg",
            version: "0.29.0",
            operatorVersion: "1.30.0",
        });
    });
});

describe("dockerConfigJson", () => {
    it.each([
        ["ghcr.io", "ghcr.io"],
        ["registry.example.com:5000", "registry.example.com:5000"],
        // Docker Hub credentials go under the key docker login writes; the kubelet matches docker.io images to it.
        ["docker.io", "https://index.docker.io/v1/"],
        ["index.docker.io", "https://index.docker.io/v1/"],
    ])("keys %s credentials as %s", (address, key) => {
        const json = JSON.parse(dockerConfigJson([{ address, username: "bot", password: "s3cret" }]));
        expect(json).toEqual({
            auths: { [key]: { username: "bot", password: "s3cret", auth: Buffer.from("bot:s3cret").toString("base64") } },
        });
    });

    it("holds several registries", () => {
        const json = JSON.parse(
            dockerConfigJson([
                { address: "ghcr.io", username: "a", password: "1" },
                { address: "docker.io", username: "b", password: "2" },
            ]),
        );
        expect(Object.keys(json.auths)).toEqual(["ghcr.io", "https://index.docker.io/v1/"]);
    });
});

describe("connectionInfo", () => {
    it("names the read-write service, the app secret and the commands to connect", () => {
        const info = connectionInfo({ namespace: "pg-trickle", clusterName: "pg-trickle", database: "app", owner: "app", context: "kind-pg-trickle" });
        expect(info.host).toBe("pg-trickle-rw.pg-trickle.svc");
        expect(info.appSecretName).toBe("pg-trickle-app");
        expect(info.hint).toBe(
            [
                "kubectl --context kind-pg-trickle -n pg-trickle port-forward svc/pg-trickle-rw 15432:5432 &",
                `PGPASSWORD="$(kubectl --context kind-pg-trickle -n pg-trickle get secret pg-trickle-app -o jsonpath='{.data.password}' | base64 -d)" ` +
                    "psql -h 127.0.0.1 -p 15432 -U app app",
            ].join("\n"),
        );
    });

    it.each([
        [{ kubeconfig: "/home/me/.kube/kind" }, "kubectl --kubeconfig /home/me/.kube/kind -n ns "],
        [{ kubeconfig: "apiVersion: v1\nclusters: []\n" }, "kubectl -n ns "],
        [{ context: "my cluster" }, "kubectl --context 'my cluster' -n ns "],
    ])("builds kubectl for %j", (extra, prefix) => {
        const info = connectionInfo({ namespace: "ns", clusterName: "c", database: "d", owner: "o", ...extra });
        expect(info.hint.startsWith(prefix)).toBe(true);
    });
});
