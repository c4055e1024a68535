import { vi } from "vitest";
import { PlannedResource, PlanOptions, PlanResult, runOfflinePlan } from "../../plan/offline-plan";
import { maskSecrets } from "../../plan/render";

export type { PlannedResource, PlanResult } from "../../plan/offline-plan";

/**
 * Runs the program (index.ts) for a stack under the mock runtime, with config
 * overrides (`secretConfig` as if set with --secret). Modules are reset first, so each call runs the program afresh.
 */
export async function planFor(
    stack: "dev" | "release",
    config: Record<string, unknown> = {},
    secretConfig: Record<string, unknown> = {},
    world: Pick<PlanOptions, "previousOutputs" | "registryTags" | "listTags" | "providerOutputs"> = {},
): Promise<PlanResult> {
    return runOfflinePlan({
        stack,
        config,
        secretConfig,
        ...world,
        loadProgram: loadFreshProgram,
    });
}

/** Loads index.ts afresh through vitest (its module graph reset), as each plan needs. */
export async function loadFreshProgram(): Promise<unknown> {
    vi.resetModules();
    return import("../../index");
}

/** Resources of a type, optionally whose name matches. */
export function findResources(plan: PlanResult, type: string, name?: RegExp): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type && (!name || name.test(r.name)));
}

/** The one resource of a type and name; fails the test when missing. */
export function findResource(plan: PlanResult, type: string, name: string): PlannedResource {
    const found = plan.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        const names = findResources(plan, type).map((r) => r.name);
        throw new Error(`no ${type} named ${name}; there are: ${names.join(", ") || "none"}`);
    }
    return found;
}

/** Inputs with secrets shown as "[secret]", as the plan prints them. */
export function shownInputs(r: PlannedResource): Record<string, any> {
    return maskSecrets(r.inputs) as Record<string, any>;
}

/** Error a plan run throws (a ConfigError for bad config). */
export async function planError(
    stack: "dev" | "release",
    config: Record<string, unknown>,
    world: Parameters<typeof planFor>[3] = {},
): Promise<Error> {
    try {
        await planFor(stack, config, {}, world);
    } catch (e) {
        return e as Error;
    }
    throw new Error(`expected the ${stack} plan to fail with config ${JSON.stringify(config)}`);
}
