import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import Ajv from "ajv";
import { clusterSpec } from "../components/cnpg/cluster-spec";
import { parseCnpgSettings } from "../components/cnpg/cnpg-settings";
import namePatterns from "./data/cnpg/extension-name-patterns.json";
import { celErrors, chartValuesValidator, crdValidator, isCheckedCelRule, loadCrd, toJsonSchema } from "./support/crd-schema";

// The validator must be as strict as the API server: these tests fail if it were lax.

const imageCatalog = (spec: unknown, metadata: Record<string, unknown> = { name: "images", namespace: "pg-trickle" }) => ({
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ImageCatalog",
    metadata,
    spec,
});
const IMAGES = [{ major: 18, image: "localhost:5001/pg_trickle@sha256:" + "0".repeat(64) }];

describe("crdValidator", () => {
    const validateCatalog = crdValidator("ImageCatalog");
    const validateCluster = crdValidator("Cluster");
    const validateDatabase = crdValidator("Database");

    it("accepts a valid object", () => {
        expect(validateCatalog(imageCatalog({ images: IMAGES }))).toEqual([]);
    });

    it("rejects an unknown field (the API server prunes or rejects it)", () => {
        expect(validateCatalog(imageCatalog({ images: [{ ...IMAGES[0], digest: "x" }] }))).toEqual([
            '/spec/images/0: must NOT have additional properties ("digest")',
        ]);
        expect(validateCatalog(imageCatalog({ images: IMAGES, imges: [] }))).toContain('/spec: must NOT have additional properties ("imges")');
    });

    it("rejects a missing required field", () => {
        expect(validateCatalog(imageCatalog({ images: [{ major: 18 }] }))).toEqual(["/spec/images/0: must have required property 'image' (\"image\")"]);
        expect(validateCluster({ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name: "a", namespace: "b" }, spec: {} })).toEqual([
            "/spec: must have required property 'instances' (\"instances\")",
        ]);
    });

    it("rejects a value outside an enum", () => {
        const errors = validateDatabase({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Database",
            metadata: { name: "db", namespace: "ns" },
            spec: { cluster: { name: "c" }, name: "app", owner: "app", ensure: "maybe" },
        });
        expect(errors).toEqual(['/spec/ensure: must be equal to one of the allowed values (["present","absent"])']);
    });

    it("rejects minimum, pattern and type violations", () => {
        expect(validateCatalog(imageCatalog({ images: [{ ...IMAGES[0], major: 9 }] }))).toEqual(["/spec/images/0/major: must be >= 10"]);
        expect(validateCatalog(imageCatalog({ images: [{ ...IMAGES[0], major: "18" }] }))).toEqual(["/spec/images/0/major: must be integer"]);
        expect(validateCatalog(imageCatalog({ images: [] }))).toEqual(["/spec/images: must NOT have fewer than 1 items"]);
    });

    it("checks apiVersion, kind and metadata like the API server", () => {
        expect(validateCatalog({ ...imageCatalog({ images: IMAGES }), kind: "ClusterImageCatalog" })).toEqual(["/kind: must be equal to constant"]);
        expect(validateCatalog(imageCatalog({ images: IMAGES }, { name: "Images", namespace: "pg-trickle" }))[0]).toMatch(/^\/metadata\/name: must match pattern/);
        expect(validateCatalog(imageCatalog({ images: IMAGES }, { name: "images" }))).toEqual([
            "/metadata: must have required property 'namespace' (\"namespace\")",
        ]);
    });

    it("accepts an integer or a quantity string where the schema says int-or-string", () => {
        const cluster = (limits: unknown) => ({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: { name: "c", namespace: "ns" },
            spec: { instances: 1, resources: { limits } },
        });
        expect(validateCluster(cluster({ cpu: 2, memory: "1Gi" }))).toEqual([]);
        expect(validateCluster(cluster({ memory: "1GB" }))[0]).toMatch(/^\/spec\/resources\/limits\/memory: must match pattern/);
        expect(validateCluster(cluster({ cpu: true })).length).toBeGreaterThan(0);
    });

    it("checks the CEL rules on create", () => {
        expect(validateCatalog(imageCatalog({ images: [IMAGES[0], { ...IMAGES[0] }] }))).toEqual(["/spec/images: Images must have unique major versions"]);
        const errors = validateCluster({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: { name: "c", namespace: "ns" },
            spec: { instances: 1, imageName: "ghcr.io/cloudnative-pg/postgresql:18", imageCatalogRef: { kind: "Catalog", name: "x", major: 18 } },
        });
        expect(errors).toEqual([
            "/spec: imageName and imageCatalogRef are mutually exclusive",
            "/spec/imageCatalogRef: Only image catalogs are supported",
            // apiGroup is missing: `self.apiGroup == …` is a CEL error, which rejects.
            "/spec/imageCatalogRef: Only image catalogs are supported",
        ]);
        const db = validateDatabase({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Database",
            metadata: { name: "db", namespace: "ns" },
            spec: { cluster: { name: "c" }, name: "template1", owner: "app" },
        });
        expect(db).toEqual(["/spec/name: the name template1 is reserved"]);
    });

    it("reports a CEL rule it does not know instead of passing it", () => {
        const schema = { type: "object", "x-kubernetes-validations": [{ rule: "self.size() > 1", message: "m" }] };
        expect(celErrors(schema, {})).toEqual(["/: CEL rule not checked by this validator: self.size() > 1"]);
        // Transition rules only run on update.
        expect(celErrors({ "x-kubernetes-validations": [{ rule: "self == oldSelf" }] }, "x")).toEqual([]);
    });

    it("knows every non-transition CEL rule of the CRDs it validates", () => {
        const rules: string[] = [];
        const collect = (node: unknown): void => {
            if (node && typeof node === "object") {
                for (const v of ((node as any)["x-kubernetes-validations"] ?? []) as { rule: string }[]) {
                    rules.push(v.rule);
                }
                Object.values(node).forEach(collect);
            }
        };
        ["Cluster", "ImageCatalog", "Database"].forEach((k) => collect(loadCrd(k).openAPIV3Schema));
        expect(rules.length).toBeGreaterThan(20);
        expect(rules.filter((r) => !isCheckedCelRule(r))).toEqual([]);
    });
});

describe("toJsonSchema", () => {
    const accepts = (schema: object, data: unknown) => new Ajv({ strictTypes: false }).validate(toJsonSchema(schema), data);

    it.each([
        // [structural schema, data, accepted]
        [{ type: "object", properties: { a: { type: "string" } } }, { a: "x", b: 1 }, false],
        [{ type: "object", properties: { a: { type: "string" } }, "x-kubernetes-preserve-unknown-fields": true }, { a: "x", b: 1 }, true],
        [{ type: "object", properties: { a: { type: "string" } }, "x-kubernetes-preserve-unknown-fields": true }, { a: 1 }, false],
        [{ type: "object", additionalProperties: { type: "string" } }, { any: "x" }, true],
        [{ type: "object", additionalProperties: { type: "string" } }, { any: 1 }, false],
        [{ "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] }, 3, true],
        [{ "x-kubernetes-int-or-string": true }, "3", true],
        [{ "x-kubernetes-int-or-string": true }, 3.5, false],
        [{ type: "string", nullable: true }, null, true],
        [{ type: "string" }, null, false],
        [{ type: "integer", format: "int32", default: 1, "x-kubernetes-list-type": "atomic" }, 1, true],
    ])("%j on %j: %s", (schema, data, accepted) => {
        expect(accepts(schema, data)).toBe(accepted);
    });

    it("throws on a keyword it does not understand", () => {
        expect(() => toJsonSchema({ type: "string", $ref: "#/x" })).toThrow('unsupported schema keyword "$ref"');
    });
});

describe("chartValuesValidator", () => {
    it("checks values as Helm does, and closed against typos", () => {
        expect(chartValuesValidator({ closed: false })({ replicaCount: "one" })).toEqual(["/replicaCount: must be integer"]);
        expect(chartValuesValidator({ closed: false })({ crd: { create: true } })).toEqual([]);
        expect(chartValuesValidator({ closed: true })({ crd: { create: true } })).toEqual(['/: must NOT have additional properties ("crd")']);
        // Free-form maps of the chart (no properties) stay open.
        expect(chartValuesValidator({ closed: true })({ podLabels: { team: "db" } })).toEqual([]);
    });
});

describe("the CNPG releases extension mode needs", () => {
    const settings = parseCnpgSettings({ enabled: true, context: "kind" });
    const operand = { mode: "extension" as const, extensionImage: `localhost:5001/pg_trickle-ext@sha256:${"0".repeat(64)}` };
    const spec = clusterSpec({ settings, catalogName: "images", pgMajor: 18, operand });
    const extensionName = spec.postgresql.extensions![0].name;

    it("records the extension-name pattern the vendored 1.30.0 Cluster schema has", () => {
        const schema = loadCrd("Cluster").openAPIV3Schema.properties.spec.properties.postgresql.properties.extensions.items.properties.name;
        expect(namePatterns.releases.find((r) => r.release === "1.30.0")?.pattern).toBe(schema.pattern);
    });

    it("are named in the evaluation-cluster guide: exactly the releases whose Cluster CRD accepts the extension's name", () => {
        const readme = fs.readFileSync(path.resolve(__dirname, "..", "docs", "evaluation-cluster.md"), "utf8").replace(/\n\s*/g, " ");
        const requirement = /`extension_control_path`\) and CNPG ([^(]*)\(/.exec(readme)?.[1] ?? "";
        const claims = [...requirement.matchAll(/(\d+)\.(\d+)(?:\.(\d+))?\+/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
        expect(claims.length).toBeGreaterThan(0);
        const claimed = (release: number[]) =>
            claims.some((claim, i) => {
                // "1.27.3+" covers the rest of the 1.27 line; the last claim covers every later release too.
                const sameLine = release[0] === claim[0] && release[1] === claim[1];
                return compareVersions(release, claim) >= 0 && (sameLine || i === claims.length - 1);
            });
        const mismatches = namePatterns.releases
            .map(({ release, pattern }) => ({ release, accepted: new RegExp(pattern).test(extensionName), claimed: claimed(release.split(".").map(Number)) }))
            .filter((r) => r.accepted !== r.claimed);
        expect(extensionName).toBe("pg_trickle");
        expect(mismatches).toEqual([]);
    });
});

function compareVersions(a: number[], b: number[]): number {
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
