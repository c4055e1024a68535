import { parseCsv } from "../components/text/csv";
import { PlannedResource, PlanResult, SECRET_MARK } from "./offline-plan";

const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };

/** Replaces every secret (Pulumi's wire form or a marked output) with "[secret]". */
export function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(maskSecrets);
    }
    if (typeof value === "object" && value !== null) {
        const obj = value as Record<string, unknown>;
        if (obj[rpc.specialSigKey] === rpc.specialSecretSig || obj[SECRET_MARK] === true) {
            return "[secret]";
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
    }
    return value;
}

/** The documented JSON form: `{stack, resources: [{type, name, parent, inputs}], outputs}`. */
export function planJson(plan: PlanResult): string {
    return JSON.stringify(
        {
            stack: plan.stack,
            resources: plan.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent, inputs: maskSecrets(r.inputs) })),
            outputs: maskSecrets(plan.outputs),
        },
        null,
        2,
    );
}

/** A summary a reviewer can read: builds, platforms, tags that would move, outputs. */
export function planSummary(plan: PlanResult): string {
    const lines: string[] = [`Offline plan of stack "${plan.stack}" (Pulumi mock runtime: nothing is built, pushed or deployed)`, ""];
    const of = (type: string) => plan.resources.filter((r) => r.type === type);
    const inputs = (r: PlannedResource) => maskSecrets(r.inputs) as Record<string, any>;

    const builds = of("docker-build:index:Image");
    lines.push(`Image builds (${builds.length}):`);
    for (const b of builds) {
        const i = inputs(b);
        const exportsTo = (i.exports ?? []).map(describeExport);
        lines.push(`  ${b.name}`);
        lines.push(`    platform ${i.platforms?.join(", ")}, target ${i.target}, builder ${i.builder?.name ?? "(default)"}`);
        lines.push(`    base ${i.buildArgs?.BASE_IMAGE}`);
        lines.push(`    dockerfile ${describeDockerfile(i.dockerfile)}`);
        lines.push(`    cache from ${describeCache(i.cacheFrom)}; to ${describeCache(i.cacheTo)}`);
        lines.push(`    output ${exportsTo.length > 0 ? exportsTo.join("; ") : "build cache only"}`);
        if (b.dependencies.length > 0) {
            lines.push(`    after ${b.dependencies.join(", ")}`);
        }
    }

    for (const smoke of of("pulumi-nodejs:dynamic:Resource")) {
        const i = inputs(smoke);
        lines.push("", `Smoke test ${smoke.name} (every tag below waits for it):`);
        lines.push(`  runs ${i.imageRef} on ${i.platform}, expects pg_trickle ${i.expectedVersion}, waits up to ${i.readyTimeoutSeconds} s`);
    }

    const bases = (plan.outputs.baseImages ?? {}) as Record<string, { name: string; digest: string; upstreamDigest: string; held: boolean; lookupName?: string }>;
    if (Object.keys(bases).length > 0) {
        lines.push("", "Base images:");
        for (const [major, b] of Object.entries(bases)) {
            lines.push(`  ${major}: ${b.name}@${b.digest}`);
            lines.push(`    ${b.lookupName ? `looked up in the registry as ${b.lookupName}` : "pinned in config (baseImageDigests)"}`);
            if (b.held) {
                lines.push(`    upstream moved to ${b.upstreamDigest}: kept, this version was published on the base above (rebase=true rebuilds)`);
            }
        }
    }

    lines.push("", ...tagLines(plan, builds.map(inputs)));

    const shown = ["docker-build:index:Image", "docker-build:index:Index", "pulumi-nodejs:dynamic:Resource"];
    const other = plan.resources.filter((r) => !shown.includes(r.type) && !r.type.startsWith("pulumi:providers:"));
    if (other.length > 0) {
        lines.push("", "Other resources:");
        for (const r of other) {
            const rendered = r.type === "kubernetes:helm.sh/v4:Chart" ? "  (its objects are rendered by the provider at `pulumi up`)" : "";
            lines.push(`  ${r.type}  ${r.name}${r.parent ? `  (in ${r.parent})` : ""}${rendered}`);
        }
    }

    lines.push("", "Outputs:");
    for (const [k, v] of Object.entries(maskSecrets(plan.outputs) as Record<string, unknown>)) {
        lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
    if (plan.warnings.length > 0) {
        lines.push("", "Warnings (a real preview prints them too):", ...plan.warnings.map((w) => `  ${w}`));
    }
    if (plan.notes.length > 0) {
        lines.push("", "Assumed:", ...plan.notes.map((n) => `  ${n}`));
    }
    return lines.join("\n");
}

/**
 * What happens to the tags: pushed as indexes (multi-arch only when more than one
 * platform is built), loaded into the local engine, or nothing.
 */
function tagLines(plan: PlanResult, builds: Record<string, any>[]): string[] {
    const indexes = plan.resources.filter((r) => r.type === "docker-build:index:Index").map((r) => r.name);
    const platforms = [...new Set(builds.flatMap((b) => b.platforms ?? []))].sort();
    const loaded = builds.flatMap((b) => (b.exports ?? []).flatMap(loadedTags));
    if (indexes.length > 0) {
        const each = platforms.length > 1 ? `each a multi-arch index of ${platforms.join(", ")}` : `each an index of ${platforms.join("")} only, not multi-arch`;
        return [`Tags pushed (${indexes.length}, ${each}, kept on destroy, exact tags first):`, ...indexes.map((t) => `  ${t}`)];
    }
    if (loaded.length > 0) {
        return [`Tags loaded into the local Docker engine (${loaded.length}, ${platforms.join(", ")}; nothing is pushed to a registry):`, ...loaded.map((t) => `  ${t}`)];
    }
    return ["Tags: none (push and load are off: the builds only fill the build cache)"];
}

/** The tags a `type=docker` export loads into the local engine. */
function loadedTags(e: { raw?: string }): string[] {
    const attrs = exportAttributes(e);
    return attrs.get("type") === "docker" ? (attrs.get("name") ?? "").split(",").filter(Boolean) : [];
}

function exportAttributes(e: { raw?: string }): Map<string, string> {
    return new Map((parseCsv(e.raw ?? "")[0] ?? []).map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] as const));
}

/** `type=image,"name=a,b",push-by-digest=true` → `push by digest to a, b`. */
/** The Dockerfile a build reads: this project's, passed inline (a content change is a diff of the build). */
function describeDockerfile(d: { inline?: string; location?: string } | undefined): string {
    if (d?.inline !== undefined) {
        const hash = require("crypto").createHash("sha256").update(d.inline).digest("hex").slice(0, 12);
        return `docker/Dockerfile passed inline (${d.inline.split("\n").length} lines, sha256:${hash}…)`;
    }
    return d?.location ?? "(none)";
}

function describeExport(e: { raw?: string }): string {
    const attrs = exportAttributes(e);
    const names = (attrs.get("name") ?? "").split(",").filter(Boolean).join(", ");
    if (attrs.get("type") === "docker") {
        return `load into local Docker as ${names}`;
    }
    if (attrs.get("push-by-digest") === "true") {
        return `push by digest to ${names}${attrs.get("registry.insecure") === "true" ? " (plain HTTP)" : ""}`;
    }
    return e.raw ?? JSON.stringify(e);
}


function describeCache(entries: any[] | undefined): string {
    if (!entries || entries.length === 0) {
        return "none";
    }
    return entries
        .map((e) => (e.registry ? `registry ${e.registry.ref}` : e.gha ? `gha scope ${e.gha.scope}` : e.local ? `local ${e.local.src ?? e.local.dest}` : "?"))
        .join(", ");
}
