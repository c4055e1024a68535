import * as pulumi from "@pulumi/pulumi";

/**
 * A stack setting that cannot be used as given. The message names the
 * setting (`pg-trickle-infra:<key>`) and what is allowed, so `pulumi preview`
 * and the offline plan fail on one readable line before any resource exists.
 *
 * It extends `pulumi.RunError` so the Pulumi CLI prints the message without a
 * stack trace.
 */
export class ConfigError extends pulumi.RunError {
    /** The config key (short form, e.g. `pgMajors` or `cnpg.instances`). */
    readonly key: string;
    /** What is wrong and what is allowed: the message after the key. */
    readonly problem: string;

    constructor(key: string, problem: string) {
        super(`Invalid config pg-trickle-infra:${key}: ${problem}`);
        this.name = "ConfigError";
        this.key = key;
        this.problem = problem;
    }

    static isInstance(e: unknown): e is ConfigError {
        return e instanceof Error && e.name === "ConfigError" && typeof (e as ConfigError).key === "string";
    }
}
