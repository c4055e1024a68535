import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { closestName } from "../settings/closest-name";
import { ConfigError } from "../settings/config-error";
import {
    isPlainObject,
    parseBoolean,
    parseInteger,
    parseIntegerArray,
    parseJson,
    parseStringArray,
    parseStringMap,
    requireUnique,
} from "../settings/config-values";
import { credentialsHint, parseRegistryCredentials, RegistryCredential } from "../registry/registry-credentials";
import { isDigest, isLoopbackRegistry, isValidTag, parseRepository } from "../image/image-reference";
import { FILES_CONTEXT } from "../image/dockerfile-layout";
import { SUPPORTED_PG_MAJORS } from "../image/pg-majors";
import { hostPlatform, ImagePlatform, isSupportedPlatform, SUPPORTED_PLATFORMS } from "../image/platforms";
import { parseSemVer, SemVer } from "../image/semver";
import { CACHE_MODES, CacheMode } from "../image/build-cache";
import type { PgTrickleImageArgs } from "../image/pg-trickle-image";
import { CnpgSettings, parseCnpgSettings } from "../cnpg/cnpg-settings";
import { redact, secretForms } from "./secret-values";

export const PROJECT = "pg-trickle-infra";

/** Settings typed in Pulumi.yaml's `config:` block (the CLI applies their defaults). */
export const TYPED_KEYS = [
    "version",
    "pgMajors",
    "platforms",
    "repositories",
    "push",
    "load",
    "source",
    "sourceRevision",
    "cache",
    "extensionImage",
    "extensionRepositories",
    "publishedVersions",
    "trackPublishedVersions",
    "smokeTest",
    "smokeTestTimeoutSeconds",
    "baseImage",
    "rebase",
] as const;

/** Structured settings, validated here only (Pulumi.yaml cannot type objects). */
export const STRUCTURED_KEYS = ["registries", "builders", "buildContexts", "baseImageDigests", "cnpg"] as const;

/**
 * The validated settings of a stack: the image component's args (publishedVersions being
 * those listed in config) plus what index.ts wires around it.
 */
export interface StackConfig extends Omit<PgTrickleImageArgs, "recordedBaseDigests"> {
    /** Read the versions this stack published before from its own last outputs. */
    trackPublishedVersions: boolean;
    /** The CloudNativePG evaluation cluster (off unless `cnpg.enabled`). */
    cnpg: CnpgSettings;
}

/** Where raw config comes from: `pulumi.Config` in a run, a plain map in tests. */
export interface ConfigSource {
    /** Raw string of `pg-trickle-infra:<key>`, or undefined when unset. */
    get(key: string): string | undefined;
    /** Whether the key was set with `--secret` (its value never appears in an error). */
    isSecret(key: string): boolean;
    /** Every key set in the project's namespace (short form). */
    keys(): string[];
}

/** Reads the stack's config from the Pulumi runtime. */
export function loadStackConfig(): StackConfig {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
    const prefix = `${PROJECT}:`;
    return parseStackConfig({
        get: (key) => pulumi.runtime.getConfig(prefix + key),
        isSecret: (key) => runtimeConfig.isConfigSecret(prefix + key),
        keys: () =>
            Object.keys(pulumi.runtime.allConfig())
                .filter((k) => k.startsWith(prefix))
                .map((k) => k.slice(prefix.length)),
    });
}

/**
 * Validates every setting; throws ConfigError naming the first bad key, with no secret
 * value in its message (valid or not: a rule between settings may quote another one).
 * Pure apart from `pulumi.secret` and reading local paths (`source`, `buildContexts`).
 */
export function parseStackConfig(src: ConfigSource, host: ImagePlatform | undefined = hostPlatform()): StackConfig {
    try {
        return parseSettings(src, host);
    } catch (e) {
        if (!ConfigError.isInstance(e)) {
            throw e;
        }
        const secrets = src.keys().filter((k) => src.isSecret(k)).flatMap((k) => secretForms(src.get(k) ?? ""));
        throw new ConfigError(e.key, redact(e.problem, secrets));
    }
}

function parseSettings(src: ConfigSource, host: ImagePlatform | undefined): StackConfig {
    const known = [...TYPED_KEYS, ...STRUCTURED_KEYS];
    for (const key of src.keys()) {
        if (!(known as string[]).includes(key)) {
            throw new ConfigError(key, unknownSettingProblem(key, known));
        }
    }
    const required = (key: (typeof TYPED_KEYS)[number]): string => {
        const raw = src.get(key);
        if (raw === undefined) {
            throw new ConfigError(key, `is not set (pulumi config set ${key} <value>)`);
        }
        return raw;
    };

    const version = parseVersion(required("version"));
    const pgMajors = parsePgMajors(required("pgMajors"));
    for (const major of pgMajors) {
        const tag = `${version.raw}-pg${major}`;
        if (!isValidTag(tag)) {
            throw new ConfigError("version", `"${version.raw}" makes the invalid Docker tag "${tag}" (allowed: [A-Za-z0-9_.-], at most 128 characters, no "+")`);
        }
    }
    const push = parseBoolean("push", required("push"));
    const platforms = parsePlatforms(required("platforms"), host, push);
    const load = parseBoolean("load", required("load"));
    if (load && platforms.length !== 1) {
        throw new ConfigError("load", `needs exactly one platform to load into the local Docker engine, platforms has ${platforms.length}`);
    }
    const repositories = parseRepositories("repositories", required("repositories"));
    const extensionImage = {
        enabled: parseBoolean("extensionImage", required("extensionImage")),
        repositories: parseRepositories("extensionRepositories", required("extensionRepositories")),
    };
    const baseImage = parseRepositoryName("baseImage", required("baseImage"));
    const cache = parseCacheMode(required("cache"));
    const registries = parseRegistryCredentials(src.get("registries"), src.isSecret("registries"));
    const rawCnpg = src.get("cnpg");
    const cnpg = parseCnpgSettings(rawCnpg === undefined ? undefined : parseJson("cnpg", rawCnpg));
    requireClusterImage(cnpg, push, extensionImage.enabled);
    const pushedTo = [
        ...(push ? [...repositories, ...(extensionImage.enabled ? extensionImage.repositories : [])] : []),
        ...(cnpg.enabled && cnpg.imageRepository ? [cnpg.imageRepository] : []),
    ];
    requireCredentials(pushedTo, registries);
    const smokeEnabled = parseBoolean("smokeTest", required("smokeTest"));
    if (smokeEnabled && !push) {
        throw new ConfigError("smokeTest", "tests the image pushed by digest before its tags move; turn push on, or smokeTest off");
    }
    if (smokeEnabled && (!host || !platforms.includes(host))) {
        throw new ConfigError(
            "smokeTest",
            `runs the image on this machine's platform (${host ?? process.arch}), which platforms (${platforms.join(", ")}) does not build; add it or turn smokeTest off`,
        );
    }

    return {
        version,
        pgMajors,
        platforms,
        repositories,
        push,
        load,
        source: parseSource(required("source"), version),
        sourceRevision: parseRevision(required("sourceRevision")),
        buildContexts: parseBuildContexts(src.get("buildContexts")),
        registries,
        builders: parseBuilders(src.get("builders"), platforms),
        cache,
        baseImage,
        baseImageDigests: parseBaseImageDigests(src.get("baseImageDigests"), pgMajors),
        rebase: parseBoolean("rebase", required("rebase")),
        extensionImage,
        publishedVersions: parseStringArray("publishedVersions", required("publishedVersions")).map((text) => {
            const v = parseSemVer(text);
            if (!v) {
                throw new ConfigError("publishedVersions", `"${text}" is not a SemVer version`);
            }
            return v;
        }),
        trackPublishedVersions: parseBoolean("trackPublishedVersions", required("trackPublishedVersions")),
        smokeTest: {
            enabled: smokeEnabled,
            timeoutSeconds: parseInteger("smokeTestTimeoutSeconds", required("smokeTestTimeoutSeconds"), 5),
            platform: host ?? platforms[0],
        },
        cnpg,
        cluster: clusterImage(cnpg, extensionImage.enabled),
    };
}

/** Why `key` is not a setting, and what to write instead. */
function unknownSettingProblem(key: string, known: readonly string[]): string {
    const root = /^[^.[]+/.exec(key)?.[0] ?? key;
    if (root !== key && known.includes(root)) {
        // `pulumi config set cnpg.enabled false` without --path sets a key named "cnpg.enabled".
        return (
            `is not a setting: it reads as a path into ${root}; set it with pulumi config set --path '${key}' <value> ` +
            `(in the stack file: nested under ${PROJECT}:${root})`
        );
    }
    const close = closestName(key, known);
    return `is not a setting of this project; ${close ? `did you mean ${close}? ` : ""}known settings: ${known.join(", ")}`;
}

/**
 * What the eval cluster pulls by digest from cnpg.imageRepository: the image its mode runs, the
 * full image or the extension-only one (when this stack builds it).
 */
function clusterImage(cnpg: CnpgSettings, extensionImageBuilt: boolean): PgTrickleImageArgs["cluster"] {
    if (!cnpg.enabled || !cnpg.imageRepository) {
        return undefined;
    }
    if (cnpg.mode === "extension") {
        return extensionImageBuilt ? { repository: cnpg.imageRepository, flavour: "ext" } : undefined;
    }
    return { repository: cnpg.imageRepository, flavour: "full" };
}

/** The cluster pulls its images by digest from a registry: this stack must put them where it can. */
function requireClusterImage(cnpg: CnpgSettings, push: boolean, extensionImageBuilt: boolean): void {
    if (!cnpg.enabled) {
        return;
    }
    if (cnpg.mode === "full" && !push && !cnpg.imageRepository) {
        throw new ConfigError(
            "cnpg.imageRepository",
            "is required when the stack does not push: the cluster pulls the image by digest from a registry it can reach " +
                "(e.g. localhost:5001/pg_trickle, kind's local registry); or turn push on",
        );
    }
    if (cnpg.mode === "extension" && !cnpg.extensionImage && !(extensionImageBuilt && (push || cnpg.imageRepository))) {
        throw new ConfigError(
            "cnpg.extensionImage",
            "is required in extension mode unless this stack builds the extension image where the cluster can pull it: " +
                "turn extensionImage on (with cnpg.imageRepository it is pushed there by digest; with push, published), " +
                "or give the extension-only image pinned by digest",
        );
    }
}

function parseVersion(raw: string): SemVer {
    const v = parseSemVer(raw);
    if (!v) {
        const hint = /^v\d/.test(raw) ? ' (drop the leading "v")' : "";
        throw new ConfigError("version", `"${raw}" is not a SemVer version such as 1.0.0 or 1.3.0-rc.1${hint}`);
    }
    return v;
}

function parsePgMajors(raw: string): number[] {
    const majors = parseIntegerArray("pgMajors", raw);
    if (majors.length === 0) {
        throw new ConfigError("pgMajors", "must list at least one PostgreSQL major");
    }
    requireUnique("pgMajors", majors);
    const unsupported = majors.filter((m) => !SUPPORTED_PG_MAJORS.includes(m));
    if (unsupported.length > 0) {
        throw new ConfigError(
            "pgMajors",
            `${unsupported.join(", ")} cannot be built: the Dockerfile supports PostgreSQL ${SUPPORTED_PG_MAJORS.join(", ")}`,
        );
    }
    return [...majors].sort((a, b) => a - b);
}

function parsePlatforms(raw: string, host: ImagePlatform | undefined, push: boolean): ImagePlatform[] {
    const platforms = parseStringArray("platforms", raw);
    if (platforms.length === 0 && push) {
        // Empty would publish this machine's platform alone under tags users take for multi-arch.
        throw new ConfigError(
            "platforms",
            `is empty, which builds only this machine's platform; a stack that pushes publishes every tag as an index of its platforms: name them, e.g. ["${SUPPORTED_PLATFORMS.join('", "')}"]`,
        );
    }
    if (platforms.length === 0) {
        // Empty means "the machine running the program": the dev stack's default.
        if (!host) {
            throw new ConfigError("platforms", `is empty and this machine's architecture (${process.arch}) is not one of ${SUPPORTED_PLATFORMS.join(", ")}`);
        }
        return [host];
    }
    requireUnique("platforms", platforms);
    for (const p of platforms) {
        if (!isSupportedPlatform(p)) {
            throw new ConfigError("platforms", `"${p}" is not supported; allowed: ${SUPPORTED_PLATFORMS.join(", ")}`);
        }
    }
    return platforms as ImagePlatform[];
}

function parseRepositories(key: string, raw: string): string[] {
    const repos = parseStringArray(key, raw);
    if (repos.length === 0) {
        throw new ConfigError(key, "must list at least one repository");
    }
    requireUnique(key, repos);
    repos.forEach((r) => parseRepositoryName(key, r));
    return repos;
}

function parseRepositoryName(key: string, raw: string): string {
    const parsed = parseRepository(raw);
    if (typeof parsed === "string") {
        throw new ConfigError(key, parsed);
    }
    return raw;
}

function parseCacheMode(raw: string): CacheMode {
    if (!(CACHE_MODES as readonly string[]).includes(raw)) {
        throw new ConfigError("cache", `"${raw}" is not a cache mode; allowed: ${CACHE_MODES.join(", ")}`);
    }
    return raw as CacheMode;
}

/** Every registry pushed to needs credentials, except a loopback dev registry. */
function requireCredentials(repositories: readonly string[], registries: readonly RegistryCredential[]): void {
    for (const repo of repositories) {
        const parsed = parseRepository(repo);
        const registry = typeof parsed === "string" ? repo : parsed.registry;
        if (!isLoopbackRegistry(registry) && !registries.some((c) => c.address === registry)) {
            throw new ConfigError(
                "registries",
                `push is on but there are no credentials for ${registry} (repository ${repo}); ${credentialsHint(registry)}`,
            );
        }
    }
}

/** A git URL as BuildKit reads a remote build context (util/gitutil): scheme or scp-like form, then `#ref[:subdir]`. */
const GIT_URL = /^(?:(?<scheme>https?|ssh|git):\/\/[^\s#]+|git@[^\s:#]+:[^\s#]+)(?:#(?<fragment>.*))?$/;
const GIT_URL_FORMS = "https://….git#<ref>, ssh://…#<ref>, git://…#<ref> or git@<host>:…#<ref>";

/**
 * `source`: a git URL with a ref, or a local pg_trickle checkout (a directory with a
 * Cargo.toml; relative to the project directory, where Pulumi runs the program), so a
 * wrong one fails here and not minutes into a build.
 */
function parseSource(raw: string, version: SemVer): string {
    if (raw === "") {
        return `https://github.com/trickle-labs/pg-trickle.git#v${version.raw}`;
    }
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) || raw.startsWith("git@")) {
        const url = GIT_URL.exec(raw);
        if (!url) {
            throw new ConfigError("source", `"${raw}" is not a git URL BuildKit can clone; give ${GIT_URL_FORMS}`);
        }
        const scheme = url.groups!.scheme;
        if ((scheme === "https" || scheme === "http") && !raw.split("#")[0].endsWith(".git")) {
            // BuildKit reads an http(s) URL as a git repository only when its path ends in .git (else as a tarball).
            throw new ConfigError("source", `"${raw}" is not a git URL to BuildKit: an http(s) URL must end in .git, e.g. https://github.com/trickle-labs/pg-trickle.git#v${version.raw}`);
        }
        if (!url.groups!.fragment?.split(":")[0]) {
            // docker-build does not content-hash a remote context: without a pinned ref a
            // moved branch would never show up as a diff.
            throw new ConfigError("source", `"${raw}" has no ref; append #v<version>, #<tag> or #<commit>`);
        }
        return raw;
    }
    if (!isDirectory(raw)) {
        throw new ConfigError("source", `"${raw}" is neither a git URL (${GIT_URL_FORMS}) nor a directory${path.isAbsolute(raw) ? "" : ` (relative paths start at ${process.cwd()})`}`);
    }
    if (!fs.existsSync(path.join(raw, "Cargo.toml"))) {
        throw new ConfigError("source", `"${raw}" has no Cargo.toml: give the root of a pg_trickle checkout`);
    }
    return raw;
}

function parseRevision(raw: string): string | undefined {
    if (raw === "") {
        return undefined;
    }
    if (!/^[0-9a-f]{7,40}$/.test(raw)) {
        throw new ConfigError("sourceRevision", `"${raw}" is not a git commit (7 to 40 lowercase hex digits)`);
    }
    return raw;
}

const BUILDER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** `builders`: one builder name for every platform, or a map of platform to builder. */
function parseBuilders(raw: string | undefined, platforms: readonly ImagePlatform[]): Partial<Record<ImagePlatform, string>> {
    if (raw === undefined) {
        return {};
    }
    if (!raw.trimStart().startsWith("{")) {
        if (!BUILDER_NAME.test(raw)) {
            throw new ConfigError("builders", `"${raw}" is not a buildx builder name; give one name for every platform or a map such as {"linux/arm64": "arm64-native"}`);
        }
        return Object.fromEntries(platforms.map((p) => [p, raw]));
    }
    const builders = parseStringMap("builders", raw);
    for (const p of Object.keys(builders)) {
        if (!platforms.includes(p as ImagePlatform)) {
            throw new ConfigError("builders", `names a builder for "${p}", which platforms (${platforms.join(", ")}) does not build`);
        }
    }
    return builders;
}

const CONTEXT_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const REMOTE_CONTEXT = /^(docker-image|oci-layout|https?|git):\/\/|^git@/;

/**
 * `buildContexts`: extra named build contexts, `{"<name>": "<location>"}`. A context
 * named like a Dockerfile stage replaces that stage (e.g. `builder` with a prebuilt
 * extension). Locations: `docker-image://…`, `oci-layout://…`, a URL, or a local directory.
 */
function parseBuildContexts(raw: string | undefined): Record<string, string> {
    if (raw === undefined) {
        return {};
    }
    const contexts = parseStringMap("buildContexts", raw);
    for (const [name, location] of Object.entries(contexts)) {
        if (!CONTEXT_NAME.test(name) || name === FILES_CONTEXT) {
            throw new ConfigError(
                "buildContexts",
                `"${name}" cannot name a build context (lowercase letters, digits, ".", "_", "-"; ${FILES_CONTEXT} is this project's own)`,
            );
        }
        if (!REMOTE_CONTEXT.test(location) && !isDirectory(location)) {
            throw new ConfigError(`buildContexts.${name}`, `"${location}" is neither a local directory nor a docker-image://, oci-layout:// or git/HTTP URL`);
        }
    }
    return contexts;
}

function isDirectory(location: string): boolean {
    try {
        return fs.statSync(location).isDirectory();
    } catch {
        return false;
    }
}

function parseBaseImageDigests(raw: string | undefined, pgMajors: readonly number[]): Record<number, string> {
    if (raw === undefined) {
        return {};
    }
    const value = parseJson("baseImageDigests", raw);
    if (!isPlainObject(value)) {
        throw new ConfigError("baseImageDigests", `must map a PG major to a digest, e.g. {"18": "sha256:…"}, got ${raw}`);
    }
    const digests: Record<number, string> = {};
    for (const [major, digest] of Object.entries(value)) {
        if (!pgMajors.includes(Number(major))) {
            throw new ConfigError("baseImageDigests", `pins PostgreSQL ${major}, which pgMajors (${pgMajors.join(", ")}) does not build`);
        }
        if (typeof digest !== "string" || !isDigest(digest)) {
            throw new ConfigError(`baseImageDigests.${major}`, `must be a digest sha256:<64 hex>, got ${JSON.stringify(digest)}`);
        }
        digests[Number(major)] = digest;
    }
    return digests;
}
