import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../settings/config-error";
import { isPlainObject } from "../settings/config-values";

/** Credentials for one registry, as docker-build's `RegistryArgs` wants them. */
export interface RegistryCredential {
    /** Registry address, e.g. `docker.io`, `ghcr.io`. */
    address: string;
    username: string;
    /** Always a Pulumi secret. */
    password: pulumi.Output<string>;
}

const KEY = "registries";

/** How to set a registry's credentials, quoted in errors. */
export function credentialsHint(address: string): string {
    return (
        `pulumi config set --path 'registries["${address}"].username' <user> && ` +
        `pulumi config set --secret --path 'registries["${address}"].password' <token>`
    );
}

/**
 * Parses `registries` (`{"docker.io": {"username": "...", "password": "..."}}`).
 * The value must have been set as a secret: a token in plain stack config would be
 * readable in Pulumi.<stack>.yaml and in the state.
 */
export function parseRegistryCredentials(raw: string | undefined, isSecret: boolean): RegistryCredential[] {
    if (raw === undefined) {
        return [];
    }
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = undefined;
    }
    if (!isPlainObject(value)) {
        // Never echo the raw value: it holds the tokens.
        throw new ConfigError(KEY, `must be an object keyed by registry address, e.g. ${credentialsHint("docker.io")}`);
    }
    const creds: RegistryCredential[] = [];
    for (const [address, entry] of Object.entries(value)) {
        const at = `${KEY}["${address}"]`;
        if (!/^[a-z0-9.-]+(:[0-9]+)?$/i.test(address)) {
            throw new ConfigError(KEY, `"${address}" is not a registry address (host[:port], e.g. docker.io or ghcr.io)`);
        }
        if (!isPlainObject(entry) || typeof entry.username !== "string" || entry.username === "") {
            throw new ConfigError(`${at}.username`, `must be a non-empty string; ${credentialsHint(address)}`);
        }
        if (typeof entry.password !== "string" || entry.password === "") {
            throw new ConfigError(`${at}.password`, `must be a non-empty secret; ${credentialsHint(address)}`);
        }
        const unknown = Object.keys(entry).filter((k) => k !== "username" && k !== "password");
        if (unknown.length > 0) {
            throw new ConfigError(at, `unknown field(s) ${unknown.join(", ")}; allowed: username, password`);
        }
        if (!isSecret) {
            throw new ConfigError(`${at}.password`, `is stored in plain text; set it again with --secret: ${credentialsHint(address)}`);
        }
        creds.push({ address, username: entry.username, password: pulumi.secret(entry.password) });
    }
    return creds;
}
