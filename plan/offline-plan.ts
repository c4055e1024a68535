import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMockRuntime, PlannedResource } from "./mock-runtime";
import { addPlaceholderCredentials } from "./offline-credentials";
import { mergeStackConfig, readProject, toRuntimeConfig } from "./stack-config-files";
import type { TagLister } from "../components/registry/registry-tags";

export type { PlannedResource } from "./mock-runtime";

export interface PlanResult {
    stack: string;
    resources: PlannedResource[];
    /** Stack outputs; secret ones are wrapped until rendering. */
    outputs: Record<string, unknown>;
    /** Warnings the program logged, as a real preview prints them. */
    warnings: string[];
    /** What the plan assumed that a real run would read elsewhere (placeholder secrets, registries). */
    notes: string[];
}

export interface PlanOptions {
    /** Stack name: `Pulumi.<stack>.yaml` must exist (an InputError names the known stacks otherwise). */
    stack: string;
    /** Overrides by config path (`cnpg.enabled`, as `pulumi config set --path`), short keys in the project's namespace; values are JSON values. Default: none. */
    config?: Record<string, unknown>;
    /** Overrides set as secrets (like `pulumi config set --secret`). Default: none. */
    secretConfig?: Record<string, unknown>;
    /** Project root. Default: the folder above this file. */
    projectDir?: string;
    /** Serialize dynamic providers' code as a real run does (slow). Default: a placeholder. */
    serializeDynamicProviders?: boolean;
    /** The stack's last outputs, as `pulumi stack output --json` prints them. Default: none (a fresh stack). */
    previousOutputs?: Record<string, unknown>;
    /** Tags the registries hold, per repository. Default: none (nothing published yet). */
    registryTags?: Record<string, string[]>;
    /** Lists tags instead of `registryTags` (e.g. one that fails). Default: from `registryTags`. */
    listTags?: TagLister;
    /** Provider outputs to report instead of the placeholders, by resource name. Default: none. */
    providerOutputs?: Record<string, Record<string, unknown>>;
    /** Loads the program module (index.ts). Default: `require` of `<projectDir>/index.ts` afresh. */
    loadProgram?: () => Promise<unknown>;
}

export const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * Runs `index.ts` as `pulumi up` would, under Pulumi's mock runtime: config merged the
 * way the CLI merges it, every resource recorded, provider outputs filled with
 * deterministic placeholders. No Pulumi CLI, Docker, network or credentials.
 * Throws an InputError for a stack or stack file it cannot read, and what the program
 * throws (a ConfigError for bad config).
 */
export async function runOfflinePlan(opts: PlanOptions): Promise<PlanResult> {
    const projectDir = opts.projectDir ?? PROJECT_DIR;
    const project = readProject(projectDir).name;
    const merged = mergeStackConfig(projectDir, opts.stack, opts.config, opts.secretConfig);
    const notes = [...merged.unread, ...addPlaceholderCredentials(project, merged)];

    const recording = await installMockRuntime(project, opts.stack, {
        serializeDynamicProviders: opts.serializeDynamicProviders ?? false,
        previousOutputs: opts.previousOutputs ?? {},
        providerOutputs: opts.providerOutputs ?? {},
    });
    pulumi.runtime.setAllConfig(toRuntimeConfig(merged.values), merged.secretKeys);

    const mod = await (opts.loadProgram ?? (() => requireFresh(path.join(projectDir, "index.ts"))))();
    const program = (typeof mod === "function" ? mod : (mod as { default?: unknown }).default) as (listTags: TagLister) => Promise<unknown>;
    if (typeof program !== "function") {
        throw new Error("index.ts must export its program as a function (export = async () => { ... })");
    }
    // Called directly, not through runInPulumiStack: a program error then rejects this
    // promise alone instead of also leaving the root stack's output promises rejected.
    // No network: the registries hold what the options say, by default nothing.
    const listed: string[] = [];
    const listTags: TagLister = async (repository, credential) => {
        listed.push(repository);
        return opts.listTags ? opts.listTags(repository, credential) : (opts.registryTags?.[repository] ?? []);
    };
    const outputs = ((await program(listTags)) ?? {}) as Record<string, unknown>;
    if (listed.length > 0 && !opts.registryTags && !opts.listTags) {
        notes.push(`published tags of ${listed.join(", ")}: not read offline, planned as if none were published`);
    }
    if (listed.length > 0 && !opts.previousOutputs) {
        notes.push("the stack's last outputs: not read offline, planned as a first release (pass --outputs to plan a re-run)");
    }
    const settled: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(outputs)) {
        settled[key] = await settle(value);
    }
    // Registrations that no output waits for may still be in flight.
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { stack: opts.stack, resources: recording.resources, outputs: settled, warnings: recording.warnings, notes };
}

/** Resolves an output value; a secret stays recognisable for rendering. */
async function settle(value: unknown): Promise<unknown> {
    const out = pulumi.output(value) as pulumi.Output<unknown> & { isSecret: Promise<boolean> };
    const plain = await new Promise<unknown>((resolve) => out.apply(resolve));
    return (await out.isSecret) ? { [SECRET_MARK]: true, value: plain } : plain;
}

/** Marks a secret stack output in PlanResult.outputs. */
export const SECRET_MARK = "__secret__";

function requireFresh(file: string): unknown {
    // Re-running in one process (tests) must rebuild the program from scratch.
    for (const key of Object.keys(require.cache)) {
        if (key.startsWith(PROJECT_DIR) && !key.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[key];
        }
    }
    return require(file);
}
