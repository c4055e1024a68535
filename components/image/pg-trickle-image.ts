import * as docker from "@pulumi/docker";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryCredential } from "../config/registry-credentials";
import { pinBaseImage, PinnedBase } from "./base-image";
import { buildCache, CacheMode } from "./build-cache";
import { DOCKERFILE_PATH, DOCKERFILE_TARGETS, FILES_CONTEXT, FILES_CONTEXT_PATH } from "./dockerfile-layout";
import { isLoopbackRegistry, parsePinnedReference, parseRepository, pinnedReference } from "./image-reference";
import { ociLabels } from "./oci-labels";
import { ImagePlatform, platformArch } from "./platforms";
import { SemVer } from "./semver";
import { ImageTag, imageTags } from "./tag-policy";
import { SmokeTest } from "../smoke/smoke-test";

/** One flavour of the image: the full PostgreSQL image or the extension-only one. */
interface Flavour {
    key: "full" | "ext";
    target: string;
    repositories: string[];
    title: string;
    description: string;
}

export interface PgTrickleImageArgs {
    /** pg_trickle version; decides the tags. Required. */
    version: SemVer;
    /** PostgreSQL majors, ascending; the last one gets `latest`. Required. */
    pgMajors: number[];
    /** One docker-build Image per platform (and major). Required. */
    platforms: ImagePlatform[];
    /** Fully qualified repositories of the full image. Required. */
    repositories: string[];
    /** Push per-platform images by digest and publish every tag as an Index. Default in config: false. */
    push: boolean;
    /** Load the image into the local Docker engine under its tags. Default in config: false. */
    load: boolean;
    /** Build context: the pg_trickle source (local path or git URL with ref). Required. */
    source: string;
    /** Git commit of the source, for the revision label. Default: no label. */
    sourceRevision?: string;
    /** Credentials per registry, passed to every build and tag resource. Default: none (local Docker credentials). */
    registries: RegistryCredential[];
    /** buildx builder per platform. Default: the default builder (QEMU for a foreign platform). */
    builders: Partial<Record<ImagePlatform, string>>;
    /** Build cache backend. Default in config: none. */
    cache: CacheMode;
    /** Base image digest per PG major. Default: resolved from the registry at preview. */
    baseImageDigests: Record<number, string>;
    /** Also build the extension-only image, to its own repositories. Default in config: off. */
    extensionImage: { enabled: boolean; repositories: string[] };
    /** Versions published before; floating tags never move below them. Default: none. */
    publishedVersions: SemVer[];
    /**
     * Smoke-test the pushed image of `platform` (the machine running `pulumi up`) before
     * any tag of its PG major moves. Needs `push`. Default in config: off.
     */
    smokeTest: { enabled: boolean; timeoutSeconds: number; platform: ImagePlatform };
    /**
     * A registry repository a cluster pulls from (e.g. a kind registry at localhost:5001):
     * the per-platform images are pushed there by digest, without tags. Default: none.
     */
    clusterRepository?: string;
}

/** A per-platform build of one flavour and PG major. */
interface PlatformBuild {
    platform: ImagePlatform;
    image: dockerbuild.Image;
}

/**
 * The pg_trickle image: one docker-build Image per PG major × platform (pushed by digest
 * when pushing) and one docker-build Index per registry tag joining them into a
 * multi-arch manifest, so each tag is its own resource with its own state and diff.
 */
export class PgTrickleImage extends pulumi.ComponentResource {
    /** Full image of the newest PG major, pinned (`repo@sha256:…`); the local tag when nothing was pushed. */
    declare readonly ref: pulumi.Output<string>;
    /** Extension-only image of the newest PG major, pinned like `ref`; undefined when not built. */
    declare readonly extensionRef: pulumi.Output<string | undefined>;
    /** Every tag this stack publishes (or loads locally), fully qualified. */
    declare readonly tags: pulumi.Output<string[]>;
    /** Full image of the newest PG major pinned in `clusterRepository`, when set. */
    declare readonly clusterRef: pulumi.Output<string | undefined>;

    private registryProvider?: docker.Provider;

    constructor(name: string, args: PgTrickleImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pgtrickle:index:Image", name, {}, opts);

        const flavours: Flavour[] = [
            {
                key: "full",
                target: DOCKERFILE_TARGETS.runtime,
                repositories: args.repositories,
                title: "pg_trickle",
                description: "PostgreSQL with the pg_trickle extension (stream tables) pre-installed and pre-configured",
            },
        ];
        if (args.extensionImage.enabled) {
            flavours.push({
                key: "ext",
                target: DOCKERFILE_TARGETS.extension,
                repositories: args.extensionImage.repositories,
                title: "pg_trickle extension",
                description: "pg_trickle extension files only, for CloudNativePG image volumes",
            });
        }

        const newestMajor = args.pgMajors[args.pgMajors.length - 1];
        const allTags: pulumi.Input<string>[] = [];
        const pinned: Partial<Record<Flavour["key"], pulumi.Output<string>>> = {};
        let clusterRef: pulumi.Output<string> | undefined;

        for (const pgMajor of args.pgMajors) {
            const base = pinBaseImage(pgMajor, args.baseImageDigests[pgMajor], {
                parent: this,
                registryProvider: () => this.lookupProvider(name),
            });
            // The full image of a platform builds first; the extension image of that platform
            // then reuses the builder stage from the same builder's cache (one compile feeds both).
            const fullByPlatform = new Map<ImagePlatform, dockerbuild.Image>();
            // Tags of this major (both flavours come from one compile) wait for its smoke test.
            let gate: SmokeTest | undefined;
            for (const flavour of flavours) {
                const tags = imageTags({
                    version: args.version,
                    pgMajor,
                    newestPgMajor: newestMajor,
                    repositories: flavour.repositories,
                    publishedVersions: args.publishedVersions,
                });
                const builds = args.platforms.map((platform) =>
                    this.buildPlatform(name, args, { flavour, pgMajor, platform, base, tags, after: fullByPlatform.get(platform) }),
                );
                if (flavour.key === "full") {
                    builds.forEach((b) => fullByPlatform.set(b.platform, b.image));
                    if (args.push && args.smokeTest.enabled) {
                        gate = this.smokeTest(name, args, pgMajor, fullByPlatform.get(args.smokeTest.platform)!);
                    }
                    if (args.clusterRepository && pgMajor === newestMajor) {
                        clusterRef = builds[0].image.digest.apply((d) => pinnedReference(args.clusterRepository!, d));
                    }
                }
                const exact = tags.find((t) => t.kind === "exact" && t.repository === flavour.repositories[0])!;
                let ref: pulumi.Output<string>;
                if (args.push) {
                    const indexes = tags.map((tag) => this.publishTag(args, tag, builds, gate));
                    // The Index's ref is `repo:tag@digest`; consumers pin `repo@digest`.
                    ref = indexes[tags.indexOf(exact)].ref.apply((r) => pinnedReference(exact.repository, digestOf(r)));
                    allTags.push(...tags.map((t) => t.reference));
                } else {
                    ref = pulumi.output(exact.reference);
                    if (args.load) {
                        allTags.push(...tags.map((t) => t.reference));
                    }
                }
                if (pgMajor === newestMajor) {
                    pinned[flavour.key] = ref;
                }
            }
        }

        this.ref = pinned.full!;
        this.extensionRef = pinned.ext ?? pulumi.output(undefined);
        this.tags = pulumi.output(allTags);
        this.clusterRef = clusterRef ?? pulumi.output(undefined);
        this.registerOutputs({ ref: this.ref, extensionRef: this.extensionRef, tags: this.tags, clusterRef: this.clusterRef });
    }

    /** A registry-only Docker provider for base-image look-ups: needs no Docker engine. */
    private lookupProvider(name: string): docker.Provider {
        this.registryProvider ??= new docker.Provider(`${name}-registry-lookup`, { disableDockerDaemonCheck: true }, { parent: this });
        return this.registryProvider;
    }

    private buildPlatform(
        name: string,
        args: PgTrickleImageArgs,
        b: { flavour: Flavour; pgMajor: number; platform: ImagePlatform; base: PinnedBase; tags: ImageTag[]; after?: dockerbuild.Image },
    ): PlatformBuild {
        const arch = platformArch(b.platform);
        const cache = buildCache({
            mode: args.cache,
            repository: args.repositories[0],
            pgMajor: b.pgMajor,
            arch,
            // Only the full image writes the cache: it covers the builder stage both flavours share.
            write: b.flavour.key === "full" && (args.cache !== "registry" || args.push),
        });
        const exports: dockerbuild.types.input.ExportArgs[] = [];
        if (args.push) {
            // Pushed by digest only: tags move later, one Index each, after the smoke gate.
            exports.push({ registry: { names: b.flavour.repositories, pushByDigest: true } });
        }
        if (args.clusterRepository && b.flavour.key === "full") {
            const registry = (parseRepository(args.clusterRepository) as { registry: string }).registry;
            exports.push({
                registry: { names: [args.clusterRepository], pushByDigest: true, insecure: isLoopbackRegistry(registry) || undefined },
            });
        }
        if (args.load) {
            exports.push({ docker: { names: b.tags.map((t) => t.reference) } });
        }
        const image = new dockerbuild.Image(
            `${name}-${b.flavour.key}-pg${b.pgMajor}-${arch}`,
            {
                push: false,
                platforms: [b.platform],
                context: { location: args.source, named: { [FILES_CONTEXT]: { location: FILES_CONTEXT_PATH } } },
                dockerfile: { location: DOCKERFILE_PATH },
                target: b.flavour.target,
                buildArgs: {
                    BASE_IMAGE: b.base.ref,
                    PG_MAJOR: String(b.pgMajor),
                    PG_TRICKLE_VERSION: args.version.raw,
                },
                labels: ociLabels({
                    title: b.flavour.title,
                    description: b.flavour.description,
                    version: args.version.raw,
                    revision: args.sourceRevision,
                    baseName: b.base.name,
                    baseDigest: b.base.digest,
                }),
                builder: args.builders[b.platform] ? { name: args.builders[b.platform] } : undefined,
                cacheFrom: cache.cacheFrom,
                cacheTo: cache.cacheTo,
                exports,
                registries: registryArgs(args.registries),
                // A release build compiles Rust for a long time: previews show the plan, `up` builds.
                buildOnPreview: false,
            },
            { parent: this, dependsOn: b.after ? [b.after] : [] },
        );
        return { platform: b.platform, image };
    }

    /** Runs the pushed image of this machine's platform, by digest, and checks it works. */
    private smokeTest(name: string, args: PgTrickleImageArgs, pgMajor: number, image: dockerbuild.Image): SmokeTest {
        return new SmokeTest(
            `${name}-smoke-pg${pgMajor}`,
            {
                imageRef: image.digest.apply((d) => pinnedReference(args.repositories[0], d)),
                expectedVersion: args.version.raw,
                platform: args.smokeTest.platform,
                readyTimeoutSeconds: args.smokeTest.timeoutSeconds,
            },
            { parent: this },
        );
    }

    private publishTag(args: PgTrickleImageArgs, tag: ImageTag, builds: PlatformBuild[], gate: SmokeTest | undefined): dockerbuild.Index {
        const registry = (parseRepository(tag.repository) as { registry: string }).registry;
        const cred = args.registries.find((c) => c.address === registry);
        return new dockerbuild.Index(
            tag.reference,
            {
                tag: tag.reference,
                sources: builds.map((b) => b.image.digest.apply((d) => pinnedReference(tag.repository, d))),
                push: true,
                registry: cred ? { address: cred.address, username: cred.username, password: cred.password } : undefined,
            },
            // A published tag is a promise to users: `pulumi destroy` must not delete it, and it
            // never moves to an image that failed the smoke test.
            { parent: this, retainOnDelete: true, dependsOn: gate ? [gate] : [] },
        );
    }
}

function registryArgs(creds: RegistryCredential[]): dockerbuild.types.input.RegistryArgs[] | undefined {
    return creds.length > 0 ? creds.map((c) => ({ address: c.address, username: c.username, password: c.password })) : undefined;
}

function digestOf(pinned: string): string {
    const parsed = parsePinnedReference(pinned);
    if (typeof parsed === "string") {
        throw new Error(`docker-build returned an index ref that is not pinned: ${parsed}`);
    }
    return parsed.digest;
}
