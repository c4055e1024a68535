import { vi } from "vitest";
import { PlannedResource, PlanOptions, PlanResult, runOfflinePlan } from "../../plan/offline-plan";
import { maskSecrets } from "../../plan/render";

export type { PlannedResource, PlanResult } from "../../plan/offline-plan";

type World = Pick<PlanOptions, "previousOutputs" | "registryTags" | "listTags" | "providerOutputs">;

/**
 * Runs the program (index.ts) for a stack under the mock runtime, with config
 * overrides (`secretConfig` as if set with --secret), its modules loaded afresh.
 * Plans are deterministic, so a plan with the same arguments is run once per worker
 * (the files of a worker share this module) and shared, frozen: many files plan the
 * plain release and dev stacks.
 */
export function planFor(stack: "dev" | "release", config: Record<string, unknown> = {}, secretConfig: Record<string, unknown> = {}, world: World = {}): Promise<PlanResult> {
    if (world.listTags) {
        // A function is no cache key.
        return planAfresh(stack, config, secretConfig, world);
    }
    const key = JSON.stringify([stack, config, secretConfig, world]);
    let plan = plans.get(key);
    if (!plan) {
        plan = planAfresh(stack, config, secretConfig, world).then(deepFreeze);
        plans.set(key, plan);
    }
    return plan;
}

const plans = new Map<string, Promise<PlanResult>>();

/** planFor without the cache: a run of its own. */
export async function planAfresh(stack: "dev" | "release", config: Record<string, unknown> = {}, secretConfig: Record<string, unknown> = {}, world: World = {}): Promise<PlanResult> {
    return runOfflinePlan({ stack, config, secretConfig, ...world, loadProgram: loadFreshProgram });
}

function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
    }
    return value;
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
