import { ConfigError } from "../settings/config-error";
import { closestName } from "../settings/closest-name";
import { isPlainObject } from "../settings/config-values";
import { parsePinnedReference, parseRepository } from "../image/image-reference";
import { parsePostgresParameters } from "./postgres-parameters";
import { quantityValue } from "./quantity";

/**
 * How the cluster gets pg_trickle:
 * - `full`: runs this project's image (PostgreSQL with pg_trickle installed);
 * - `extension`: runs CloudNativePG's minimal PostgreSQL image and mounts the
 *   extension-only image as an image volume (Kubernetes 1.33+ with ImageVolume).
 */
export type CnpgMode = "full" | "extension";
export const CNPG_MODES: readonly CnpgMode[] = ["full", "extension"];

/** Resource requests and limits of each PostgreSQL pod, as Kubernetes quantities. */
export interface PodResources {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
}

/** The validated `cnpg` setting: the CloudNativePG evaluation cluster. */
export interface CnpgSettings {
    /** Create the operator (unless `operator.install` is off), the cluster and its database. Default: false. */
    enabled: boolean;
    /** Path or content of the kubeconfig. Default: the provider's ($KUBECONFIG, else ~/.kube/config). */
    kubeconfig?: string;
    /** kubeconfig context to deploy to; never the current context by accident. Required when enabled, unless rendering YAML. */
    context?: string;
    /** Namespace of the cluster, created by the stack. Default: "pg-trickle". */
    namespace: string;
    /** Name of the CNPG Cluster (a DNS label of at most 50 characters). Default: "pg-trickle". */
    clusterName: string;
    /** PostgreSQL instances (1 primary + replicas). Default: 1. */
    instances: number;
    /** Volume of each instance: size (Kubernetes quantity) and class. Default: {size: "1Gi"}, the cluster's default class. */
    storage: { size: string; storageClass?: string };
    /** Requests and limits of each instance. Default: none. */
    resources?: PodResources;
    /** Default: "full". */
    mode: CnpgMode;
    /**
     * Repository the cluster pulls this stack's image from (e.g. a kind local registry
     * `localhost:5001/pg_trickle`): the full image (full mode) or the extension-only image
     * (extension mode) is pushed there by digest, without tags. Default: none (the cluster
     * pulls the published image).
     */
    imageRepository?: string;
    /** Extension mode: CNPG operand image pinned by digest (`…/postgresql:18-minimal-bookworm@sha256:…`). Required in extension mode. */
    operandImage?: string;
    /** Extension mode: the extension-only image pinned by digest, when this stack does not build it. Default: none. */
    extensionImage?: string;
    /** Install the CNPG operator (Helm chart cloudnative-pg 0.29.0) into its own namespace. Default: {install: true, namespace: "cnpg-system"}. */
    operator: { install: boolean; namespace: string };
    /** Application database, created at initdb and given pg_trickle. Default: "app". */
    database: string;
    /** Owner of the application database (its credentials are in `<cluster>-app`). Default: "app". */
    owner: string;
    /** PostgreSQL settings: the recommended ones with `cnpg.parameters` laid over them. */
    parameters: Record<string, string>;
    /** Let the `postgres` superuser log in (secret `<cluster>-superuser`). Default: false. */
    enableSuperuserAccess: boolean;
    /** How long `pulumi up` waits for the Cluster to be Ready and the extension created. Default: 600. */
    readyTimeoutSeconds: number;
    /** Write the manifests to this directory instead of applying them (GitOps). Default: apply to the cluster. */
    renderYamlToDirectory?: string;
}

const KEYS = [
    "enabled",
    "kubeconfig",
    "context",
    "namespace",
    "clusterName",
    "instances",
    "storage",
    "resources",
    "mode",
    "imageRepository",
    "operandImage",
    "extensionImage",
    "operator",
    "database",
    "owner",
    "parameters",
    "enableSuperuserAccess",
    "readyTimeoutSeconds",
    "renderYamlToDirectory",
] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PG_IDENTIFIER = /^[a-z]([a-z0-9_]*[a-z0-9])?$/;
const RESOURCE_NAME = /^([a-z0-9.-]+\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** Names the Database resource may not take (CEL rules of the Database CRD). */
const RESERVED_DATABASES = ["postgres", "template0", "template1"];
/** Roles CNPG reserves for itself. */
const RESERVED_ROLES = ["postgres", "streaming_replica", "cnpg_pooler_pgbouncer"];
const MIN_READY_TIMEOUT = 30;

/** The minimal CNPG PostgreSQL 18 image on bookworm, the Debian release the extension is built on. */
export const OPERAND_IMAGE_HINT = "ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm@sha256:<digest>";

/**
 * Parses the `cnpg` setting (its JSON value, undefined when unset) and applies the
 * defaults. Throws a ConfigError naming the first bad field (`cnpg.<field>`).
 */
export function parseCnpgSettings(raw: unknown): CnpgSettings {
    const value = raw === undefined ? {} : raw;
    const obj = fields("cnpg", value, KEYS);

    const enabled = optional(obj.enabled, (v) => bool("cnpg.enabled", v)) ?? false;
    const settings: CnpgSettings = {
        enabled,
        kubeconfig: optional(obj.kubeconfig, (v) => nonEmpty("cnpg.kubeconfig", v)),
        context: optional(obj.context, (v) => nonEmpty("cnpg.context", v)),
        namespace: optional(obj.namespace, (v) => dnsLabel("cnpg.namespace", v)) ?? "pg-trickle",
        clusterName: optional(obj.clusterName, (v) => clusterName(v)) ?? "pg-trickle",
        instances: optional(obj.instances, (v) => integer("cnpg.instances", v, 1)) ?? 1,
        storage: parseStorage(obj.storage),
        resources: optional(obj.resources, parseResources),
        mode: optional(obj.mode, parseMode) ?? "full",
        imageRepository: optional(obj.imageRepository, (v) => repository("cnpg.imageRepository", v)),
        operandImage: optional(obj.operandImage, (v) => pinned("cnpg.operandImage", v)),
        extensionImage: optional(obj.extensionImage, (v) => pinned("cnpg.extensionImage", v)),
        operator: parseOperator(obj.operator),
        database: optional(obj.database, (v) => identifier("cnpg.database", v, RESERVED_DATABASES)) ?? "app",
        owner: optional(obj.owner, (v) => identifier("cnpg.owner", v, RESERVED_ROLES)) ?? "app",
        parameters: parsePostgresParameters(obj.parameters),
        enableSuperuserAccess: optional(obj.enableSuperuserAccess, (v) => bool("cnpg.enableSuperuserAccess", v)) ?? false,
        readyTimeoutSeconds: optional(obj.readyTimeoutSeconds, (v) => integer("cnpg.readyTimeoutSeconds", v, MIN_READY_TIMEOUT)) ?? 600,
        renderYamlToDirectory: optional(obj.renderYamlToDirectory, (v) => nonEmpty("cnpg.renderYamlToDirectory", v)),
    };
    if (enabled) {
        requireConsistent(settings);
    }
    return settings;
}

/** Rules between fields, checked only for a cluster that will exist. */
function requireConsistent(s: CnpgSettings): void {
    if (s.context === undefined && s.renderYamlToDirectory === undefined) {
        throw new ConfigError(
            "cnpg.context",
            "is required when cnpg is enabled, so the cluster never lands on whatever context is current " +
                "(pulumi config set --path cnpg.context kind-pg-trickle)",
        );
    }
    if (s.mode === "extension" && s.operandImage === undefined) {
        throw new ConfigError(
            "cnpg.operandImage",
            `is required in extension mode: the CNPG PostgreSQL image pinned by digest, e.g. ${OPERAND_IMAGE_HINT} ` +
                "(docker buildx imagetools inspect ghcr.io/cloudnative-pg/postgresql:18-minimal-bookworm shows the digest; " +
                "the rolling :18 tag is an older Debian whose glibc cannot load the bookworm-built extension)",
        );
    }
    if (s.operator.install && s.operator.namespace === s.namespace) {
        throw new ConfigError(
            "cnpg.operator.namespace",
            `must differ from cnpg.namespace ("${s.namespace}"): the operator gets its own namespace`,
        );
    }
}

function parseStorage(raw: unknown): CnpgSettings["storage"] {
    const obj = fields("cnpg.storage", raw ?? {}, ["size", "storageClass"]);
    const size = optional(obj.size, (v) => quantity("cnpg.storage.size", v)) ?? "1Gi";
    if (quantityValue(size)! <= 0) {
        throw new ConfigError("cnpg.storage.size", `must be larger than zero, got "${size}"`);
    }
    const storageClass = optional(obj.storageClass, (v) => nonEmpty("cnpg.storage.storageClass", v));
    return storageClass === undefined ? { size } : { size, storageClass };
}

function parseResources(raw: unknown): PodResources {
    const obj = fields("cnpg.resources", raw, ["requests", "limits"]);
    const resources: PodResources = {};
    for (const kind of ["requests", "limits"] as const) {
        if (obj[kind] === undefined) {
            continue;
        }
        const key = `cnpg.resources.${kind}`;
        if (!isPlainObject(obj[kind])) {
            throw new ConfigError(key, `must map resource names to quantities, e.g. {"cpu": "500m", "memory": "512Mi"}, got ${JSON.stringify(obj[kind])}`);
        }
        const quantities: Record<string, string> = {};
        for (const [name, v] of Object.entries(obj[kind])) {
            if (!RESOURCE_NAME.test(name)) {
                throw new ConfigError(`${key}.${name}`, `"${name}" is not a resource name (e.g. cpu, memory, ephemeral-storage)`);
            }
            quantities[name] = quantity(`${key}.${name}`, typeof v === "number" ? String(v) : v);
        }
        resources[kind] = quantities;
    }
    for (const [name, request] of Object.entries(resources.requests ?? {})) {
        const limit = resources.limits?.[name];
        if (limit !== undefined && quantityValue(request)! > quantityValue(limit)!) {
            throw new ConfigError(`cnpg.resources.requests.${name}`, `(${request}) must not exceed the limit (${limit})`);
        }
    }
    return resources;
}

function parseMode(raw: unknown): CnpgMode {
    if (typeof raw !== "string" || !(CNPG_MODES as readonly string[]).includes(raw)) {
        throw new ConfigError("cnpg.mode", `must be one of ${CNPG_MODES.join(", ")}, got ${JSON.stringify(raw)}`);
    }
    return raw as CnpgMode;
}

function parseOperator(raw: unknown): CnpgSettings["operator"] {
    const obj = fields("cnpg.operator", raw ?? {}, ["install", "namespace"]);
    return {
        install: optional(obj.install, (v) => bool("cnpg.operator.install", v)) ?? true,
        namespace: optional(obj.namespace, (v) => dnsLabel("cnpg.operator.namespace", v)) ?? "cnpg-system",
    };
}

/** An object with only the given keys; an unknown key (a typo) is an error. */
function fields<K extends string>(key: string, raw: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
    if (!isPlainObject(raw)) {
        throw new ConfigError(key, `must be an object, got ${JSON.stringify(raw)}`);
    }
    for (const name of Object.keys(raw)) {
        if (!(allowed as readonly string[]).includes(name)) {
            const close = closestName(name, allowed);
            const hint = close ? `did you mean ${close}? ` : "";
            throw new ConfigError(`${key}.${name}`, `is not a setting; ${hint}allowed: ${allowed.join(", ")}`);
        }
    }
    return raw as Partial<Record<K, unknown>>;
}

function optional<T>(value: unknown, parse: (v: unknown) => T): T | undefined {
    return value === undefined ? undefined : parse(value);
}

function bool(key: string, v: unknown): boolean {
    if (typeof v !== "boolean") {
        throw new ConfigError(key, `must be true or false, got ${JSON.stringify(v)}`);
    }
    return v;
}

function integer(key: string, v: unknown, min: number): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
        throw new ConfigError(key, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
}

function nonEmpty(key: string, v: unknown): string {
    if (typeof v !== "string" || v.trim() === "") {
        throw new ConfigError(key, `must be a non-empty string, got ${JSON.stringify(v)}`);
    }
    return v;
}

function dnsLabel(key: string, v: unknown): string {
    const s = nonEmpty(key, v);
    if (!DNS_LABEL.test(s) || s.length > 63) {
        throw new ConfigError(key, `"${s}" is not a Kubernetes name (lowercase letters, digits and "-", at most 63 characters)`);
    }
    return s;
}

function clusterName(v: unknown): string {
    const s = nonEmpty("cnpg.clusterName", v);
    // CNPG derives service and pod names from it; its webhook wants a DNS-1035 label.
    if (!DNS_1035_LABEL.test(s) || s.length > 50) {
        throw new ConfigError("cnpg.clusterName", `"${s}" must start with a letter and use lowercase letters, digits and "-" (at most 50 characters)`);
    }
    return s;
}

function identifier(key: string, v: unknown, reserved: readonly string[]): string {
    const s = nonEmpty(key, v);
    if (!PG_IDENTIFIER.test(s) || s.length > 63) {
        throw new ConfigError(key, `"${s}" must be a lowercase PostgreSQL name (letters, digits, "_"; starting with a letter; at most 63 characters)`);
    }
    if (reserved.includes(s)) {
        throw new ConfigError(key, `"${s}" is reserved (${reserved.join(", ")})`);
    }
    return s;
}

function quantity(key: string, v: unknown): string {
    if (typeof v !== "string" || quantityValue(v) === undefined) {
        throw new ConfigError(key, `must be a Kubernetes quantity such as 1Gi, 500Mi or 500m, got ${JSON.stringify(v)}`);
    }
    return v;
}

function repository(key: string, v: unknown): string {
    const parsed = parseRepository(nonEmpty(key, v));
    if (typeof parsed === "string") {
        throw new ConfigError(key, parsed);
    }
    return parsed.name;
}

function pinned(key: string, v: unknown): string {
    const s = nonEmpty(key, v);
    const parsed = parsePinnedReference(s);
    if (typeof parsed === "string") {
        throw new ConfigError(key, parsed);
    }
    return s;
}
