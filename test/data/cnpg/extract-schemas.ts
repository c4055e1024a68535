/**
 * Regenerates the CNPG schema files of this folder from the CloudNativePG Helm chart
 * (see README.md for the commands that fetch and render it):
 *
 *   npx tsx test/data/cnpg/extract-schemas.ts <rendered chart YAML> <chart's values.schema.json> <chart version> <output dir>
 *
 * Writes `<Kind>.schema.json` for each CRD the tests validate against (its storage
 * version, `description` texts removed) and `chart-<chart version>-values.schema.json`.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The kinds the project creates or validates. */
const KINDS = ["Cluster", "Database", "Pooler", "ImageCatalog", "ClusterImageCatalog"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Drops the `description` keyword of every schema node; a property that is named `description` stays. */
function withoutDescriptions(node: Json, isPropertyMap = false): Json {
    if (Array.isArray(node)) {
        return node.map((item) => withoutDescriptions(item));
    }
    if (node === null || typeof node !== "object") {
        return node;
    }
    const entries = Object.entries(node)
        .filter(([key]) => isPropertyMap || key !== "description")
        .map(([key, value]) => [key, withoutDescriptions(value, !isPropertyMap && key === "properties")]);
    return Object.fromEntries(entries);
}

/** The format of the files in this folder: one-space indent, keys in their source order. */
function toJson(value: Json): string {
    return JSON.stringify(value, null, 1);
}

function main(manifestsFile: string, valuesSchemaFile: string, chartVersion: string, outDir: string): void {
    const crds = YAML.parseAllDocuments(fs.readFileSync(manifestsFile, "utf8"))
        .map((doc) => doc.toJSON())
        .filter((doc) => doc?.kind === "CustomResourceDefinition");
    fs.mkdirSync(outDir, { recursive: true });
    for (const kind of KINDS) {
        const crd = crds.find((c) => c.spec.names.kind === kind);
        if (!crd) {
            throw new Error(`${manifestsFile} has no CustomResourceDefinition of kind ${kind}`);
        }
        const stored = crd.spec.versions.find((v: { storage: boolean }) => v.storage);
        const file = { group: crd.spec.group, kind, version: stored.name, scope: crd.spec.scope, openAPIV3Schema: stored.schema.openAPIV3Schema };
        fs.writeFileSync(path.join(outDir, `${kind}.schema.json`), toJson(withoutDescriptions(file)));
    }
    const valuesSchema = JSON.parse(fs.readFileSync(valuesSchemaFile, "utf8"));
    fs.writeFileSync(path.join(outDir, `chart-${chartVersion}-values.schema.json`), toJson(valuesSchema));
}

const [manifests, valuesSchema, chartVersion, outDir] = process.argv.slice(2);
if (!manifests || !valuesSchema || !chartVersion || !outDir) {
    console.error("usage: npx tsx test/data/cnpg/extract-schemas.ts <rendered chart YAML> <values.schema.json> <chart version> <output dir>");
    process.exit(2);
}
main(manifests, valuesSchema, chartVersion, outDir);
