import { describe, expect, it } from "vitest";
import { ConfigError } from "../components/settings/config-error";
import { parseCnpgSettings } from "../components/cnpg/cnpg-settings";
import { CNPG_FIXED_PARAMETERS } from "../components/cnpg/postgres-parameters";
import { RECOMMENDED_SETTINGS } from "../components/image/recommended-settings";
import { requirePinnedReference } from "../components/cnpg/pinned-reference";
import { parsePinnedReference } from "../components/image/image-reference";
import { quantityValue } from "../components/cnpg/quantity";

const DIGEST = `sha256:${"a".repeat(64)}`;
const OPERAND = `ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@${DIGEST}`;
const ENABLED = { enabled: true, context: "kind-pg-trickle" };

function configError(raw: unknown): ConfigError {
    try {
        parseCnpgSettings(raw);
    } catch (e) {
        expect(ConfigError.isInstance(e)).toBe(true);
        return e as ConfigError;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("parseCnpgSettings", () => {
    it("is off with every default when cnpg is unset", () => {
        expect(parseCnpgSettings(undefined)).toEqual({
            enabled: false,
            kubeconfig: undefined,
            context: undefined,
            namespace: "pg-trickle",
            clusterName: "pg-trickle",
            instances: 1,
            storage: { size: "1Gi" },
            resources: undefined,
            mode: "full",
            imageRepository: undefined,
            operandImage: undefined,
            extensionImage: undefined,
            operator: { install: true, namespace: "cnpg-system" },
            database: "app",
            owner: "app",
            parameters: RECOMMENDED_SETTINGS,
            enableSuperuserAccess: false,
            readyTimeoutSeconds: 600,
            renderYamlToDirectory: undefined,
        });
    });

    it("starts the cluster with the settings the image starts with, upstream's recommendation", () => {
        expect(parseCnpgSettings({}).parameters).toEqual({
            wal_level: "logical",
            max_worker_processes: "32",
            "pg_trickle.enabled": "on",
            "pg_trickle.cdc_mode": "auto",
            "pg_trickle.max_dynamic_refresh_workers": "4",
        });
    });

    it("takes every setting", () => {
        const s = parseCnpgSettings({
            enabled: true,
            kubeconfig: "/home/me/.kube/kind",
            context: "kind-eval",
            namespace: "eval",
            clusterName: "pgt",
            instances: 3,
            storage: { size: "5Gi", storageClass: "standard" },
            resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: 2, memory: "1Gi" } },
            mode: "extension",
            imageRepository: "localhost:5001/pg_trickle",
            operandImage: OPERAND,
            extensionImage: `localhost:5001/pg_trickle-ext@${DIGEST}`,
            operator: { install: false, namespace: "operators" },
            database: "shop",
            owner: "shop_owner",
            parameters: { work_mem: "64MB", max_connections: 200, "pg_trickle.enabled": false, wal_level: "replica" },
            enableSuperuserAccess: true,
            readyTimeoutSeconds: 900,
            renderYamlToDirectory: "out/manifests",
        });
        expect(s).toMatchObject({
            enabled: true,
            kubeconfig: "/home/me/.kube/kind",
            context: "kind-eval",
            namespace: "eval",
            clusterName: "pgt",
            instances: 3,
            storage: { size: "5Gi", storageClass: "standard" },
            resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
            mode: "extension",
            imageRepository: "localhost:5001/pg_trickle",
            operandImage: OPERAND,
            operator: { install: false, namespace: "operators" },
            database: "shop",
            owner: "shop_owner",
            enableSuperuserAccess: true,
            readyTimeoutSeconds: 900,
            renderYamlToDirectory: "out/manifests",
        });
        // Overrides win; numbers and booleans become the strings CNPG wants.
        expect(s.parameters).toEqual({
            wal_level: "replica",
            max_worker_processes: "32",
            "pg_trickle.enabled": "false",
            "pg_trickle.cdc_mode": "auto",
            "pg_trickle.max_dynamic_refresh_workers": "4",
            work_mem: "64MB",
            max_connections: "200",
        });
    });

    it("needs no context when rendering YAML instead of applying", () => {
        expect(parseCnpgSettings({ enabled: true, renderYamlToDirectory: "out" }).context).toBeUndefined();
    });

    it("does not check cross-field rules of a disabled cluster", () => {
        expect(parseCnpgSettings({ mode: "extension" }).enabled).toBe(false);
    });

    it.each([
        // [raw cnpg value, key named in the error, part of the problem]
        [[], "cnpg", "must be an object"],
        [{ enabeld: true }, "cnpg.enabeld", "did you mean enabled?"],
        [{ ...ENABLED, Instances: 2 }, "cnpg.Instances", "did you mean instances?"],
        [{ enabled: "yes" }, "cnpg.enabled", "true or false"],
        [{ enabled: true }, "cnpg.context", "is required when cnpg is enabled"],
        [{ ...ENABLED, context: "" }, "cnpg.context", "non-empty string"],
        [{ ...ENABLED, instances: 0 }, "cnpg.instances", "integer >= 1, got 0"],
        [{ ...ENABLED, instances: 1.5 }, "cnpg.instances", "integer >= 1"],
        [{ ...ENABLED, instances: "3" }, "cnpg.instances", "integer >= 1"],
        [{ ...ENABLED, storage: { size: "1GB" } }, "cnpg.storage.size", "Kubernetes quantity"],
        [{ ...ENABLED, storage: { size: "0" } }, "cnpg.storage.size", "larger than zero"],
        [{ ...ENABLED, storage: { sise: "1Gi" } }, "cnpg.storage.sise", "did you mean size?"],
        [{ ...ENABLED, resources: { requests: { cpu: "lots" } } }, "cnpg.resources.requests.cpu", "Kubernetes quantity"],
        [{ ...ENABLED, resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } } }, "cnpg.resources.requests.memory", "must not exceed the limit"],
        [{ ...ENABLED, resources: { request: {} } }, "cnpg.resources.request", "did you mean requests?"],
        [{ ...ENABLED, mode: "sidecar" }, "cnpg.mode", "one of full, extension"],
        [{ ...ENABLED, mode: "extension" }, "cnpg.operandImage", "18-minimal-bookworm"],
        [{ ...ENABLED, mode: "extension", operandImage: "ghcr.io/cloudnative-pg/postgresql:18" }, "cnpg.operandImage", "not pinned by digest"],
        [{ ...ENABLED, extensionImage: "localhost:5001/pg_trickle-ext:latest" }, "cnpg.extensionImage", "not pinned by digest"],
        [{ ...ENABLED, extensionImage: `pg_trickle-ext@${DIGEST}` }, "cnpg.extensionImage", "not a repository name"],
        [{ ...ENABLED, imageRepository: "localhost:5001/pg_trickle:dev" }, "cnpg.imageRepository", "carries a tag"],
        [{ ...ENABLED, namespace: "Pg_Trickle" }, "cnpg.namespace", "not a Kubernetes name"],
        [{ ...ENABLED, clusterName: "1st" }, "cnpg.clusterName", "start with a letter"],
        [{ ...ENABLED, clusterName: "a".repeat(51) }, "cnpg.clusterName", "at most 50"],
        [{ ...ENABLED, operator: { namespace: "pg-trickle" } }, "cnpg.operator.namespace", "must differ from cnpg.namespace"],
        [{ ...ENABLED, operator: { instal: false } }, "cnpg.operator.instal", "did you mean install?"],
        [{ ...ENABLED, database: "postgres" }, "cnpg.database", "reserved"],
        [{ ...ENABLED, database: "my-db" }, "cnpg.database", "lowercase PostgreSQL name"],
        [{ ...ENABLED, owner: "streaming_replica" }, "cnpg.owner", "reserved"],
        [{ ...ENABLED, parameters: { shared_preload_libraries: "pg_trickle" } }, "cnpg.parameters.shared_preload_libraries", "spec.postgresql.shared_preload_libraries"],
        [{ ...ENABLED, parameters: { listen_addresses: "*" } }, "cnpg.parameters.listen_addresses", "fixed by CloudNativePG"],
        [{ ...ENABLED, parameters: { port: 5433 } }, "cnpg.parameters.port", "fixed by CloudNativePG"],
        [{ ...ENABLED, parameters: { wal_level: "minimal" } }, "cnpg.parameters.wal_level", "logical (recommended"],
        [{ ...ENABLED, parameters: { "Work-Mem": "1MB" } }, "cnpg.parameters.Work-Mem", "not a PostgreSQL setting name"],
        [{ ...ENABLED, parameters: { work_mem: { value: "1MB" } } }, "cnpg.parameters.work_mem", "string, number or boolean"],
        [{ ...ENABLED, enableSuperuserAccess: "false" }, "cnpg.enableSuperuserAccess", "true or false"],
        [{ ...ENABLED, readyTimeoutSeconds: 5 }, "cnpg.readyTimeoutSeconds", "integer >= 30"],
        [{ ...ENABLED, renderYamlToDirectory: "" }, "cnpg.renderYamlToDirectory", "non-empty"],
    ])("rejects %j naming %s", (raw, key, problem) => {
        const e = configError(raw);
        expect(e.key).toBe(key);
        expect(e.message).toMatch(new RegExp(`^Invalid config pg-trickle-infra:${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
        expect(e.message).toContain(problem);
    });

    it("accepts what CNPG only defaults (ssl_min_protocol_version, max_replication_slots)", () => {
        const s = parseCnpgSettings({ ...ENABLED, parameters: { ssl_min_protocol_version: "TLSv1.2", max_replication_slots: 16 } });
        expect(s.parameters).toMatchObject({ ssl_min_protocol_version: "TLSv1.2", max_replication_slots: "16" });
    });

    it("rejects every parameter CNPG fixes", () => {
        for (const name of CNPG_FIXED_PARAMETERS) {
            expect(configError({ ...ENABLED, parameters: { [name]: "x" } }).key).toBe(`cnpg.parameters.${name}`);
        }
        // wal_level was fixed in old CNPG releases; 1.30 lets the user set it.
        expect(CNPG_FIXED_PARAMETERS.has("wal_level")).toBe(false);
    });
});

describe("quantityValue", () => {
    it.each([
        ["1Gi", 2 ** 30],
        ["500Mi", 500 * 2 ** 20],
        ["500m", 0.5],
        ["2", 2],
        ["1.5G", 1.5e9],
        ["1e3", 1000],
        ["1E", 1e18],
        ["+.5k", 500],
    ])("reads %s", (text, value) => {
        expect(quantityValue(text)).toBeCloseTo(value);
    });

    it.each(["1GB", "Gi", "1 Gi", "", "1.2.3", "ten"])("rejects %j", (text) => {
        expect(quantityValue(text)).toBeUndefined();
    });
});

describe("parsePinnedReference", () => {
    it.each([
        [`localhost:5001/pg_trickle@${DIGEST}`, "localhost:5001/pg_trickle"],
        [OPERAND, "ghcr.io/cloudnative-pg/postgresql"],
        [`docker.io/pgtrickle/pg_trickle-ext:0.67.0-pg18@${DIGEST}`, "docker.io/pgtrickle/pg_trickle-ext"],
    ])("reads %s", (text, repository) => {
        expect(parsePinnedReference(text)).toEqual({ repository, digest: DIGEST });
    });

    it.each([
        "docker.io/pgtrickle/pg_trickle:0.67.0-pg18",
        "docker.io/pgtrickle/pg_trickle@sha256:abc",
        `pgtrickle/pg_trickle@${DIGEST}`,
    ])("rejects %s", (text) => {
        expect(typeof parsePinnedReference(text)).toBe("string");
    });
});

describe("requirePinnedReference", () => {
    it("passes a pinned reference through", () => {
        expect(requirePinnedReference(OPERAND, "cnpg.operandImage", "pin it")).toBe(OPERAND);
    });

    it("refuses a tag, naming the setting that fixes it", () => {
        expect(() => requirePinnedReference("docker.io/pgtrickle/pg_trickle:0.67.0-pg18", "cnpg.imageRepository", "set cnpg.imageRepository")).toThrow(
            'Invalid config pg-trickle-infra:cnpg.imageRepository: the cluster runs images pinned by digest, got "docker.io/pgtrickle/pg_trickle:0.67.0-pg18"; set cnpg.imageRepository',
        );
    });
});
