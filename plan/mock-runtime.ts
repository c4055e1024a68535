import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** A resource the program registered, as the offline plan reports it. */
export interface PlannedResource {
    type: string;
    name: string;
    /** Name of the parent resource; null for a resource directly under the stack. */
    parent: string | null;
    /** Inputs as the provider would receive them; secrets stay wrapped until rendering. */
    inputs: Record<string, unknown>;
    /** Names of the resources this one waits for (explicit dependsOn and input dependencies). */
    dependencies: string[];
    retainOnDelete: boolean;
}

/** Deterministic stand-in for a provider-computed digest: the same name always gets the same digest. */
export function placeholderDigest(seed: string): string {
    return `sha256:${createHash("sha256").update(seed).digest("hex")}`;
}

/**
 * Outputs a provider computes, filled with deterministic placeholders so the wiring
 * between resources (digest → index sources → cluster image) is visible in the plan.
 */
function computedState(type: string, name: string, inputs: Record<string, any>, previousOutputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "docker-build:index:Image": {
            // docker-build fills `ref` from `tags` only; the program pushes by digest, without tags.
            const digest = placeholderDigest(`image:${name}`);
            const first = inputs.tags?.[0];
            return { digest, contextHash: placeholderDigest(`context:${name}`).slice(7), ref: first ? `${first}@${digest}` : "" };
        }
        case "docker-build:index:Index":
            return { ref: `${inputs.tag}@${placeholderDigest(`index:${name}`)}` };
        case "pulumi-nodejs:dynamic:Resource":
            // The smoke test: what a passing run records.
            return { checkedRef: inputs.imageRef };
        case "pulumi:pulumi:StackReference":
            // The stack's last outputs as given to the plan; none for a fresh stack.
            return { outputs: previousOutputs, secretOutputNames: [] };
        default:
            return {};
    }
}

function invokeResult(token: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (token) {
        case "docker:index/getRegistryImage:getRegistryImage":
            return { id: inputs.name, name: inputs.name, sha256Digest: placeholderDigest(`registry:${inputs.name}`) };
        default:
            return {};
    }
}

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** What the plan shows instead of a dynamic provider's serialized code. */
export const PROVIDER_CODE_PLACEHOLDER = "[dynamic provider code, serialized by a real run]";

const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as { serializeFunction: unknown };

/**
 * Serializing a dynamic provider's closure (Pulumi inspects every captured function)
 * takes seconds and yields tens of kilobytes nobody reviews in a plan. The plan shows
 * a placeholder instead; test/smoke-test.test.ts serializes it for real.
 */
const placeholderSerialization = async () => ({ text: PROVIDER_CODE_PLACEHOLDER, exportName: "handler", containsSecrets: false });

/** The SDK functions installMockRuntime replaces, as the SDK has them. */
const original = { serializeFunction: closure.serializeFunction, warn: pulumi.log.warn };

/**
 * Puts back what installMockRuntime replaced in the SDK (dynamic provider serialization,
 * warnings), for a process that goes on to use the SDK otherwise (the tests' workers).
 */
export function uninstallMockRuntime(): void {
    closure.serializeFunction = original.serializeFunction;
    (pulumi.log as { warn: unknown }).warn = original.warn;
}

/**
 * Installs Pulumi's mock runtime (no engine, no providers, no network) and records
 * every registered resource with its parent, dependencies and options.
 */
export interface MockRuntimeOptions {
    /** Serialize dynamic providers' code as a real run does (slow). */
    serializeDynamicProviders: boolean;
    /** What a stack reference to this stack reads: its last outputs. */
    previousOutputs: Record<string, unknown>;
    /** Provider outputs to report instead of the placeholders, by resource name (e.g. a state left by a failed refresh). */
    providerOutputs: Record<string, Record<string, unknown>>;
}

/** What the program registered and logged under the mock runtime. */
export interface MockRecording {
    resources: PlannedResource[];
    /** Warnings the program logged (a real preview prints them too). */
    warnings: string[];
}

export async function installMockRuntime(project: string, stack: string, options: Partial<MockRuntimeOptions> = {}): Promise<MockRecording> {
    const opts: MockRuntimeOptions = { serializeDynamicProviders: false, previousOutputs: {}, providerOutputs: {}, ...options };
    const recorded: PlannedResource[] = [];
    const warnings: string[] = [];
    closure.serializeFunction = opts.serializeDynamicProviders ? original.serializeFunction : placeholderSerialization;
    // Without an engine the SDK prints warnings on stderr: keep them for the plan instead.
    (pulumi.log as { warn: (msg: string) => Promise<void> }).warn = async (msg: string) => {
        warnings.push(msg);
    };
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: `${args.name}-id`,
                state: { ...args.inputs, ...computedState(args.type, args.name, args.inputs, opts.previousOutputs), ...opts.providerOutputs[args.name] },
            }),
            call: (args) => invokeResult(args.token, args.inputs),
        },
        project,
        stack,
        false,
        // The name a self-managed backend gives every stack's organization.
        "organization",
    );

    // The mock monitor does not hand parents or options to `newResource`: read them off the request.
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: any, cb: unknown): Promise<void> };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: unknown) => {
        const type: string = req.getType();
        if (type !== "pulumi:pulumi:Stack") {
            const parentUrn: string = req.getParent();
            recorded.push({
                type,
                name: req.getName(),
                parent: parentUrn && !parentUrn.includes("::pulumi:pulumi:Stack::") ? nameOfUrn(parentUrn) : null,
                inputs: {},
                dependencies: (req.getDependenciesList() as string[]).map(nameOfUrn),
                retainOnDelete: req.getRetainondelete() === true,
            });
            const entry = recorded[recorded.length - 1];
            const deserialize = require("@pulumi/pulumi/runtime/rpc").deserializeProperties;
            entry.inputs = deserialize(req.getObject());
        }
        return register(req, cb);
    };
    // A component of the previous run in this process can still be registering its outputs
    // when the next run has installed a new monitor: that call is not this run's business.
    const monitorOutputs = monitor as unknown as {
        resources: Map<string, unknown>;
        registerResourceOutputs(req: any, cb: (err: unknown, res: unknown) => void): void;
    };
    const registerOutputs = monitorOutputs.registerResourceOutputs.bind(monitor);
    monitorOutputs.registerResourceOutputs = (req: any, cb: (err: unknown, res: unknown) => void) =>
        monitorOutputs.resources.has(req.getUrn()) ? registerOutputs(req, cb) : cb(null, {});
    return { resources: recorded, warnings };
}
