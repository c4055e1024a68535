import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";

/**
 * Validates objects the way the Kubernetes API server validates a custom resource
 * against its CRD (see test/data/cnpg/README.md): structural schemas turned into
 * JSON Schema for ajv, plus the CEL rules of the CRD, checked by hand.
 */

/** CNPG 1.30 schemas, the project's own test data (where they come from: test/data/cnpg/README.md). */
export const CNPG_SCHEMA_DIR = path.resolve(__dirname, "..", "data", "cnpg", "1.30.0");

/** A `<Kind>.schema.json` file: the storage version of one CRD. */
export interface CrdFile {
    group: string;
    kind: string;
    version: string;
    scope: "Namespaced" | "Cluster";
    openAPIV3Schema: SchemaNode;
}

type SchemaNode = Record<string, any>;
type JsonSchema = Record<string, any>;

export function loadCrd(kind: string): CrdFile {
    return JSON.parse(fs.readFileSync(path.join(CNPG_SCHEMA_DIR, `${kind}.schema.json`), "utf8"));
}

/** Keywords that mean the same in a structural schema and in JSON Schema. */
const PLAIN_KEYWORDS = new Set([
    "type",
    "required",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "$schema",
    "title",
]);
/** Keywords without effect on validation here: documentation, defaulting, formats the API server does not check. */
const IGNORED_KEYWORDS = new Set(["description", "default", "example", "format"]);

/**
 * Converts a structural (OpenAPI v3) schema node to JSON Schema:
 * - an object schema with `properties`, without `additionalProperties` and without
 *   `x-kubernetes-preserve-unknown-fields: true` is closed (the API server prunes or,
 *   under strict field validation, rejects unknown fields): `additionalProperties: false`;
 * - `x-kubernetes-int-or-string` accepts an integer or a string;
 * - `nullable` admits null;
 * - other `x-kubernetes-*` keywords are dropped (CEL rules are checked separately).
 * An unknown keyword throws, so a schema feature this converter ignores cannot pass unnoticed.
 */
export function toJsonSchema(node: SchemaNode): JsonSchema {
    const out: JsonSchema = {};
    for (const [keyword, value] of Object.entries(node)) {
        if (PLAIN_KEYWORDS.has(keyword)) {
            out[keyword] = value;
        } else if (keyword === "properties") {
            out.properties = Object.fromEntries(Object.entries(value as SchemaNode).map(([k, v]) => [k, toJsonSchema(v)]));
        } else if (keyword === "items" || keyword === "not") {
            out[keyword] = toJsonSchema(value);
        } else if (keyword === "additionalProperties") {
            out.additionalProperties = typeof value === "boolean" ? value : toJsonSchema(value);
        } else if (keyword === "anyOf" || keyword === "allOf" || keyword === "oneOf") {
            out[keyword] = (value as SchemaNode[]).map(toJsonSchema);
        } else if (!keyword.startsWith("x-kubernetes-") && !IGNORED_KEYWORDS.has(keyword) && keyword !== "nullable") {
            throw new Error(`toJsonSchema: unsupported schema keyword "${keyword}"`);
        }
    }
    if (node["x-kubernetes-int-or-string"] === true) {
        delete out.type;
        out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (node.properties !== undefined && node.additionalProperties === undefined && node["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return node.nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

/** What the API server checks of a top-level object's metadata (a subset of ObjectMeta: what this project sets). */
const OBJECT_META: JsonSchema = {
    type: "object",
    required: ["name"],
    additionalProperties: false,
    properties: {
        name: { type: "string", maxLength: 253, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" },
        namespace: { type: "string", maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
        labels: { type: "object", additionalProperties: { type: "string" } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
    },
};

/** JSON Schema of a whole custom resource of the CRD: apiVersion and kind fixed, metadata as ObjectMeta. */
export function customResourceSchema(crd: CrdFile): JsonSchema {
    const schema = toJsonSchema(crd.openAPIV3Schema);
    schema.properties.apiVersion = { const: `${crd.group}/${crd.version}` };
    schema.properties.kind = { const: crd.kind };
    schema.properties.metadata = OBJECT_META;
    schema.required = [...new Set([...(schema.required ?? []), "apiVersion", "kind", "metadata"])];
    if (crd.scope === "Namespaced") {
        schema.properties.metadata = { ...OBJECT_META, required: ["name", "namespace"] };
    }
    return schema;
}

/**
 * The CEL rules (x-kubernetes-validations) of the CNPG CRDs this project's objects can
 * reach, written out by hand, keyed by the rule's exact text: when a CRD update changes a
 * rule, the validator reports it as unchecked instead of passing silently.
 * A CEL error (a missing field read by `self.x ==`) fails the rule, as in the API server.
 */
const CEL_RULES: Record<string, (self: any) => boolean> = {
    "!(has(self.imageCatalogRef) && has(self.imageName))": (s) => !(s.imageCatalogRef !== undefined && s.imageName !== undefined),
    "self.kind == 'ImageCatalog' || self.kind == 'ClusterImageCatalog'": (s) => s.kind === "ImageCatalog" || s.kind === "ClusterImageCatalog",
    "self.apiGroup == 'postgresql.cnpg.io'": (s) => s.apiGroup === "postgresql.cnpg.io",
    "!has(self.builtinLocale) || self.localeProvider == 'builtin'": (s) => s.builtinLocale === undefined || s.localeProvider === "builtin",
    "!has(self.icuLocale) || self.localeProvider == 'icu'": (s) => s.icuLocale === undefined || s.localeProvider === "icu",
    "!has(self.icuRules) || self.localeProvider == 'icu'": (s) => s.icuRules === undefined || s.localeProvider === "icu",
    "self > 0": (s) => s > 0,
    "self.dataDurability!='preferred' || ((!has(self.standbyNamesPre) || self.standbyNamesPre.size()==0) && (!has(self.standbyNamesPost) || self.standbyNamesPost.size()==0))":
        (s) => s.dataDurability !== "preferred" || (!(s.standbyNamesPre?.length > 0) && !(s.standbyNamesPost?.length > 0)),
    "self.all(e, self.filter(f, f.major==e.major).size() == 1)": (s: any[]) => new Set(s.map((e) => e.major)).size === s.length,
    "self.all(e, self.filter(f, f.key==e.key).size() == 1)": (s: any[]) => new Set(s.map((e) => e.key)).size === s.length,
    "self != 'postgres'": (s) => s !== "postgres",
    "self != 'template0'": (s) => s !== "template0",
    "self != 'template1'": (s) => s !== "template1",
    "self != ''": (s) => s !== "",
};

/** Whether the validator evaluates this CEL rule (transition rules never run on create). */
export function isCheckedCelRule(rule: string): boolean {
    return rule.includes("oldSelf") || rule in CEL_RULES;
}

/**
 * Evaluates the CEL rules on the data present, as on create: transition rules
 * (`oldSelf`) only apply to updates and are skipped.
 */
export function celErrors(schema: SchemaNode, data: unknown, at = ""): string[] {
    if (data === undefined || data === null) {
        return [];
    }
    const errors: string[] = [];
    for (const { rule, message } of (schema["x-kubernetes-validations"] ?? []) as { rule: string; message?: string }[]) {
        if (rule.includes("oldSelf")) {
            continue;
        }
        const check = CEL_RULES[rule];
        if (!check) {
            errors.push(`${at || "/"}: CEL rule not checked by this validator: ${rule}`);
        } else if (!check(data)) {
            errors.push(`${at || "/"}: ${message ?? rule}`);
        }
    }
    if (Array.isArray(data) && schema.items) {
        data.forEach((item, i) => errors.push(...celErrors(schema.items, item, `${at}/${i}`)));
    } else if (typeof data === "object") {
        for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
            const child = schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
            if (child) {
                errors.push(...celErrors(child, value, `${at}/${key}`));
            }
        }
    }
    return errors;
}

function newAjv(): Ajv {
    // strictSchema stays on: a keyword the converter let through unconverted is an error.
    return new Ajv({ allErrors: true, strictTypes: false });
}

function formatErrors(errors: { instancePath: string; message?: string; params: Record<string, unknown> }[] | null | undefined): string[] {
    return (errors ?? []).map((e) => {
        const extra = e.params.additionalProperty ?? e.params.allowedValues ?? e.params.missingProperty;
        return `${e.instancePath || "/"}: ${e.message}${extra !== undefined ? ` (${JSON.stringify(extra)})` : ""}`;
    });
}

/** A validator for whole custom resources of a CNPG kind: structural errors, then CEL errors. Empty means accepted. */
export function crdValidator(kind: string): (object: unknown) => string[] {
    const crd = loadCrd(kind);
    const validate = newAjv().compile(customResourceSchema(crd));
    return (object) => {
        const structural = validate(object) ? [] : formatErrors(validate.errors);
        return [...structural, ...celErrors(crd.openAPIV3Schema, object)];
    };
}

/**
 * A validator for Helm values of the CNPG chart 0.29.0. `closed: false` checks them as
 * Helm does (the chart's values.schema.json as is); `closed: true` also rejects keys
 * the schema does not declare, which Helm would silently ignore (a typo).
 */
export function chartValuesValidator(opts: { closed: boolean }): (values: unknown) => string[] {
    const raw = JSON.parse(fs.readFileSync(path.join(CNPG_SCHEMA_DIR, "chart-0.29.0-values.schema.json"), "utf8"));
    const validate = newAjv().compile(opts.closed ? toJsonSchema(raw) : raw);
    return (values) => (validate(values) ? [] : formatErrors(validate.errors));
}
