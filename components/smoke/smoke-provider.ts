import type * as pulumi from "@pulumi/pulumi";
import { smokeTestImageInContainer } from "./container-smoke-test";

/** The smoke test resource's inputs, as the provider receives them. */
export interface SmokeTestInputs {
    imageRef: string;
    expectedVersion: string;
    platform: string;
    readyTimeoutSeconds: number;
}

/** State of a passed smoke test: its inputs plus what it saw. */
export interface SmokeTestOutputs extends SmokeTestInputs {
    /** The image that passed (equal to imageRef). */
    checkedRef: string;
    /** What `pgtrickle.version()` reported. */
    extensionVersion: string;
    /** PostgreSQL's `server_version` in the image. */
    postgresVersion: string;
}

/** Inputs whose change means a different image (or expectation): the test runs again. */
export const RERUN_ON = ["imageRef", "expectedVersion", "platform"] as const;

/**
 * Reruns (replaces) only for a new image digest, version or platform. Other inputs, such
 * as the timeout, are no reason to retest an image that passed.
 */
export function smokeTestDiff(olds: Partial<SmokeTestInputs>, news: Partial<SmokeTestInputs>): pulumi.dynamic.DiffResult {
    const replaces = RERUN_ON.filter((key) => olds[key] !== news[key]);
    return { changes: replaces.length > 0, replaces };
}

/**
 * The dynamic provider. Pulumi serializes these functions (and what they reach) into
 * the resource's state and runs them in its own Node process, so they reach only
 * plain functions and Node built-ins. There is no `update` (every change replaces) and
 * no `delete`: the container never outlives `create`.
 */
export const smokeTestProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: SmokeTestOutputs, news: SmokeTestInputs) {
        return smokeTestDiff(olds, news);
    },
    async create(inputs: SmokeTestInputs) {
        const report = await smokeTestImageInContainer({
            imageRef: inputs.imageRef,
            expectedVersion: inputs.expectedVersion,
            platform: inputs.platform,
            readyTimeoutSeconds: Number(inputs.readyTimeoutSeconds),
        });
        const outs: SmokeTestOutputs = { ...inputs, checkedRef: inputs.imageRef, ...report };
        return { id: inputs.imageRef, outs };
    },
};
