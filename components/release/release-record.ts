import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../settings/config-error";
import { isPlainObject } from "../settings/config-values";
import { isDigest, registryOf } from "../image/image-reference";
import { compareSemVer, parseSemVer, SemVer } from "../image/semver";
import type { RegistryCredential } from "../registry/registry-credentials";
import type { ReadCredential, TagLister } from "../registry/registry-tags";

/** Stack output listing every version this stack has published. */
export const PUBLISHED_VERSIONS_OUTPUT = "publishedVersions";
/** Stack output recording the base digest each version was published on, per PG major. */
export const PUBLISHED_BASES_OUTPUT = "publishedBases";

/** Base digest per version and PG major: `{"1.2.3": {"18": "sha256:…"}}`. */
export type PublishedBases = Record<string, Record<string, string>>;

/** What earlier updates published. */
export interface ReleaseRecord {
    versions: SemVer[];
    bases: PublishedBases;
}

export const EMPTY_RECORD: ReleaseRecord = { versions: [], bases: {} };

export interface ReadReleaseRecordArgs {
    /** Every repository this stack publishes to; their exact tags count as published. */
    repositories: readonly string[];
    /** Credentials per registry (the push credentials read too). Default: anonymous. */
    registries: readonly RegistryCredential[];
    /** How tags are listed (the registry HTTP API in a real run). */
    listTags: TagLister;
}

/**
 * What this stack published before, from two places. Its own last outputs (a stack
 * reference to itself) hold the versions and the base digest of each. The registries
 * hold the exact tags (`1.3.0-pg18`): an update that failed after pushing them saved no
 * outputs, yet its floating tags may already have moved, so a later backport must see
 * that version too. The program writes an exact tag before any floating tag of its version.
 */
export async function readReleaseRecord(args: ReadReleaseRecordArgs): Promise<ReleaseRecord> {
    const self = new pulumi.StackReference("published-versions", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const credentials = await plainCredentials(args.registries);
    const [versions, bases, tagLists] = await Promise.all([
        self.getOutputDetails(PUBLISHED_VERSIONS_OUTPUT),
        self.getOutputDetails(PUBLISHED_BASES_OUTPUT),
        Promise.all(args.repositories.map((repo) => listTagsOf(args.listTags, repo, credentials[registryOf(repo)]))),
    ]);
    return {
        versions: uniqueVersions([...parseVersions(versions.value ?? []), ...tagLists.flatMap(versionsInTags)]),
        bases: parseBases(bases.value ?? {}),
    };
}

/** The secret passwords as plain text, for the registry API only: they never leave this process. */
async function plainCredentials(registries: readonly RegistryCredential[]): Promise<Record<string, ReadCredential>> {
    const unwrap = (secret: pulumi.Output<string>) => new Promise<string>((resolve) => secret.apply(resolve));
    const entries = await Promise.all(registries.map(async (c) => [c.address, { username: c.username, password: await unwrap(c.password) }] as const));
    return Object.fromEntries(entries);
}

async function listTagsOf(listTags: TagLister, repository: string, credential: ReadCredential | undefined): Promise<string[]> {
    try {
        return await listTags(repository, credential);
    } catch (e) {
        // Going on without them could move a floating tag backwards.
        throw new ConfigError("trackPublishedVersions", `cannot read the published tags: ${e instanceof Error ? e.message : String(e)}`);
    }
}

/** Versions whose exact tag (`<version>-pg<major>`) is among `tags`. */
export function versionsInTags(tags: readonly string[]): SemVer[] {
    return tags.flatMap((tag) => {
        const m = /^(.+)-pg\d+$/.exec(tag);
        const v = m ? parseSemVer(m[1]) : undefined;
        return v ? [v] : [];
    });
}

/** The published list after this release: old entries plus this version, sorted, without duplicates. */
export function recordPublished(published: readonly SemVer[], version: SemVer): string[] {
    return uniqueVersions([...published, version]).map((v) => v.raw);
}

function uniqueVersions(versions: readonly SemVer[]): SemVer[] {
    const all = [...versions].sort(compareSemVer);
    return all.filter((v, i) => i === 0 || compareSemVer(all[i - 1], v) !== 0);
}

function parseVersions(value: unknown): SemVer[] {
    if (!Array.isArray(value)) {
        throw new ConfigError("trackPublishedVersions", `the stack output ${PUBLISHED_VERSIONS_OUTPUT} is not a list: ${JSON.stringify(value)}`);
    }
    return value.map((text) => {
        const v = typeof text === "string" ? parseSemVer(text) : undefined;
        if (!v) {
            throw new ConfigError("trackPublishedVersions", `the stack output ${PUBLISHED_VERSIONS_OUTPUT} holds "${text}", which is not SemVer`);
        }
        return v;
    });
}

function parseBases(value: unknown): PublishedBases {
    const valid =
        isPlainObject(value) &&
        Object.values(value).every(
            (byMajor) => isPlainObject(byMajor) && Object.entries(byMajor).every(([major, d]) => /^\d+$/.test(major) && typeof d === "string" && isDigest(d)),
        );
    if (!valid) {
        throw new ConfigError(
            "trackPublishedVersions",
            `the stack output ${PUBLISHED_BASES_OUTPUT} is not a map of version to {major: digest}: ${JSON.stringify(value)}`,
        );
    }
    return value as PublishedBases;
}
