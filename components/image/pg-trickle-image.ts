import * as docker from "@pulumi/docker";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryCredential } from "../registry/registry-credentials";
import { pinBaseImage, PinnedBase } from "./base-image";
import { buildCache, CacheMode } from "./build-cache";
import { DOCKERFILE_TARGETS, FILES_CONTEXT, FILES_CONTEXT_PATH, readDockerfile } from "./dockerfile-layout";
import { dockerLoadExport, pushByDigestExport } from "./image-exports";
import { isLoopbackRegistry, parsePinnedReference, pinnedReference, registryOf } from "./image-reference";
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
    /** Extra named build contexts (name → location); one named like a stage replaces it. Default: none. */
    buildContexts: Record<string, string>;
    /** Credentials per registry, passed to every build and tag resource and to the base look-up. Default: none (local Docker credentials). */
    registries: RegistryCredential[];
    /** buildx builder per platform. Default: the default builder (QEMU for a foreign platform). */
    builders: Partial<Record<ImagePlatform, string>>;
    /** Build cache backend. Default in config: none. */
    cache: CacheMode;
    /** Repository of the base image (tag `<major>-bookworm`). Default in config: docker.io/library/postgres. */
    baseImage: string;
    /** Base image digest per PG major. Default: resolved from the registry at preview. */
    baseImageDigests: Record<number, string>;
    /** Base digest per PG major this version was published on (the stack's record). Default: none. */
    recordedBaseDigests: Record<number, string>;
    /** Rebuild on the upstream base even when this version has a recorded one. Default in config: false. */
    rebase: boolean;
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
     * A registry repository a cluster pulls from (e.g. a kind registry at localhost:5001) and
     * the image it needs there (the full image, or the extension-only one): its per-platform
     * images are pushed there by digest, without tags. Default: none.
     */
    cluster?: { repository: string; flavour: "full" | "ext" };
}

/** The base image a PG major was built on: what the build used and what upstream has now. */
export interface BaseImageReport {
    name: string;
    /** Digest the build uses (the recorded one unless rebased). */
    digest: string;
    /** Digest upstream (or config) has now. */
    upstreamDigest: string;
    /** Upstream moved but this version keeps its recorded base; `rebase` would rebuild. */
    held: boolean;
    /** The name the registry look-up asks for; absent when config pins the digest. */
    lookupName?: string;
}

/** The per-platform builds of one flavour and PG major. */
interface FlavourBuilds {
    /** The image each tag's Index joins: pushed by digest (or only built/loaded). */
    primary: Map<ImagePlatform, dockerbuild.Image>;
    /** Pushed by digest to the cluster's registry, when the stack has one. */
    cluster: Map<ImagePlatform, dockerbuild.Image>;
    /** Every Image of the flavour and major. */
    count: number;
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
    /** The cluster's image (`cluster.flavour`) of the newest PG major, pinned in `cluster.repository`, when set. */
    declare readonly clusterRef: pulumi.Output<string | undefined>;
    /** The base image of each PG major (`pg18`), with what upstream has now. */
    declare readonly baseImages: pulumi.Output<Record<string, BaseImageReport>>;
    /** Base digest each PG major was built on (`{"18": "sha256:…"}`), for the stack's record. */
    declare readonly baseDigests: pulumi.Output<Record<string, string>>;

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
        const dockerfile = readDockerfile();
        const allTags: pulumi.Input<string>[] = [];
        const pinned: Partial<Record<Flavour["key"], pulumi.Output<string>>> = {};
        const baseReports: Record<string, pulumi.Output<BaseImageReport>> = {};
        const baseDigests: Record<string, pulumi.Output<string>> = {};
        let clusterRef: pulumi.Output<string> | undefined;

        for (const pgMajor of args.pgMajors) {
            const base = pinBaseImage(
                {
                    repository: args.baseImage,
                    pgMajor,
                    pinnedDigest: args.baseImageDigests[pgMajor],
                    recordedDigest: args.recordedBaseDigests[pgMajor],
                    rebase: args.rebase,
                },
                { parent: this, registryProvider: () => this.lookupProvider(name, args) },
            );
            // The full image of a platform builds first; the extension image of that platform
            // then reuses the builder stage from the same builder's cache (one compile feeds both).
            let fullBuilds: FlavourBuilds | undefined;
            // Tags of this major (both flavours come from one compile) wait for its smoke test.
            let gate: SmokeTest | undefined;
            const majorTags: ImageTag[] = [];
            let majorImages = 0;
            for (const flavour of flavours) {
                const tags = imageTags({
                    version: args.version,
                    pgMajor,
                    newestPgMajor: newestMajor,
                    repositories: flavour.repositories,
                    publishedVersions: args.publishedVersions,
                });
                const builds = this.buildFlavour(name, args, { flavour, pgMajor, base, tags, dockerfile, after: fullBuilds?.primary });
                majorTags.push(...tags);
                majorImages += builds.count;
                if (flavour.key === "full") {
                    fullBuilds = builds;
                    if (args.push && args.smokeTest.enabled) {
                        gate = this.smokeTest(name, args, pgMajor, builds.primary.get(args.smokeTest.platform)!);
                    }
                }
                if (args.cluster?.flavour === flavour.key && pgMajor === newestMajor) {
                    const repository = args.cluster.repository;
                    clusterRef = [...builds.cluster.values()][0].digest.apply((d) => pinnedReference(repository, d));
                }
                const exact = tags.find((t) => t.kind === "exact" && t.repository === flavour.repositories[0])!;
                let ref: pulumi.Output<string>;
                if (args.push) {
                    const indexes = this.publishTags(args, tags, [...builds.primary.values()], gate);
                    ref = indexes.get(exact.reference)!.ref.apply((r) => this.pinnedRefOf(exact, r));
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
            const label = `pg${pgMajor}`;
            baseDigests[String(pgMajor)] = base.digest;
            baseReports[label] = pulumi
                .all([base.digest, base.upstreamDigest, base.held])
                .apply(([digest, upstreamDigest, held]) => {
                    if (held) {
                        this.warnBaseHeld(args, base, { digest, upstreamDigest, images: majorImages, tags: majorTags });
                    }
                    return { name: base.name, digest, upstreamDigest, held, ...(base.lookupName ? { lookupName: base.lookupName } : {}) };
                });
        }

        this.ref = pinned.full!;
        this.extensionRef = pinned.ext ?? pulumi.output(undefined);
        this.tags = pulumi.output(allTags);
        this.clusterRef = clusterRef ?? pulumi.output(undefined);
        this.baseImages = pulumi.output(baseReports);
        this.baseDigests = pulumi.output(baseDigests);
        this.registerOutputs({
            ref: this.ref,
            extensionRef: this.extensionRef,
            tags: this.tags,
            clusterRef: this.clusterRef,
            baseImages: this.baseImages,
            baseDigests: this.baseDigests,
        });
    }

    /** A registry-only Docker provider for base-image look-ups: needs no Docker engine. */
    private lookupProvider(name: string, args: PgTrickleImageArgs): docker.Provider {
        const cred = args.registries.find((c) => c.address === registryOf(args.baseImage));
        this.registryProvider ??= new docker.Provider(
            `${name}-registry-lookup`,
            {
                disableDockerDaemonCheck: true,
                // A private base (a hardened image, a mirror) is read with that registry's credentials.
                registryAuth: cred ? [{ address: cred.address, username: cred.username, password: cred.password }] : undefined,
            },
            { parent: this },
        );
        return this.registryProvider;
    }

    /**
     * The Images of one flavour and major, one per platform and destination: an Image has
     * exactly one export (docker-build refuses more, pulumi-docker-build#774). Pushing goes
     * to every repository at once; loading locally and the cluster's registry, when asked
     * for, get Images of their own, which the builder's cache makes cheap.
     */
    private buildFlavour(
        name: string,
        args: PgTrickleImageArgs,
        b: {
            flavour: Flavour;
            pgMajor: number;
            base: PinnedBase;
            tags: ImageTag[];
            dockerfile: string;
            after?: Map<ImagePlatform, dockerbuild.Image>;
        },
    ): FlavourBuilds {
        const builds: FlavourBuilds = { primary: new Map(), cluster: new Map(), count: 0 };
        for (const platform of args.platforms) {
            const resourceName = `${name}-${b.flavour.key}-pg${b.pgMajor}-${platformArch(platform)}`;
            const image = (suffix: string, exp: dockerbuild.types.input.ExportArgs | undefined, after?: dockerbuild.Image) => {
                builds.count++;
                return this.buildImage(`${resourceName}${suffix}`, args, { ...b, platform, exp, writeCache: suffix === "", after });
            };
            // Repositories that get tags speak HTTPS: docker-build reads every Index back over HTTPS.
            const primary = args.push
                ? image("", pushByDigestExport(b.flavour.repositories, { insecure: false }), b.after?.get(platform))
                : image("", args.load ? dockerLoadExport(b.tags.map((t) => t.reference)) : undefined, b.after?.get(platform));
            builds.primary.set(platform, primary);
            if (args.push && args.load) {
                image("-load", dockerLoadExport(b.tags.map((t) => t.reference)), primary);
            }
            if (args.cluster?.flavour === b.flavour.key) {
                // Digests only, no Index: a plain-HTTP loopback registry (kind's) will do.
                const repository = args.cluster.repository;
                const insecure = isLoopbackRegistry(registryOf(repository));
                builds.cluster.set(platform, image("-cluster", pushByDigestExport([repository], { insecure }), primary));
            }
        }
        return builds;
    }

    private buildImage(
        resourceName: string,
        args: PgTrickleImageArgs,
        b: {
            flavour: Flavour;
            pgMajor: number;
            platform: ImagePlatform;
            base: PinnedBase;
            dockerfile: string;
            exp: dockerbuild.types.input.ExportArgs | undefined;
            writeCache: boolean;
            after?: dockerbuild.Image;
        },
    ): dockerbuild.Image {
        const cache = buildCache({
            mode: args.cache,
            repository: args.repositories[0],
            pgMajor: b.pgMajor,
            arch: platformArch(b.platform),
            // Only the full image's first build writes the cache: it covers the builder stage all share.
            write: b.writeCache && b.flavour.key === "full" && (args.cache !== "registry" || args.push),
        });
        const named: Record<string, { location: string }> = { [FILES_CONTEXT]: { location: FILES_CONTEXT_PATH } };
        for (const [contextName, location] of Object.entries(args.buildContexts)) {
            named[contextName] = { location };
        }
        return new dockerbuild.Image(
            resourceName,
            {
                push: false,
                platforms: [b.platform],
                context: { location: args.source, named },
                dockerfile: { inline: b.dockerfile },
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
                exports: b.exp ? [b.exp] : [],
                registries: registryArgs(args.registries),
                // A release build compiles Rust for a long time: previews show the plan, `up` builds.
                buildOnPreview: false,
            },
            { parent: this, dependsOn: b.after ? [b.after] : [] },
        );
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

    /**
     * One Index per tag. In each repository the exact tag (`1.3.0-pg18`) is written before
     * any floating tag of the version moves: the exact tags are the registry's record of
     * what was published, read back by the next release even when this update fails later.
     */
    private publishTags(
        args: PgTrickleImageArgs,
        tags: ImageTag[],
        images: dockerbuild.Image[],
        gate: SmokeTest | undefined,
    ): Map<string, dockerbuild.Index> {
        const indexes = new Map<string, dockerbuild.Index>();
        const exactTag = tags.find((t) => t.kind === "exact")!.tag;
        for (const tag of [...tags].sort((a, b) => Number(b.kind === "exact") - Number(a.kind === "exact"))) {
            const exact = tag.kind === "exact" ? undefined : indexes.get(`${tag.repository}:${exactTag}`);
            const cred = args.registries.find((c) => c.address === registryOf(tag.repository));
            const index = new dockerbuild.Index(
                tag.reference,
                {
                    tag: tag.reference,
                    sources: images.map((image) => image.digest.apply((d) => pinnedReference(tag.repository, d))),
                    push: true,
                    registry: cred ? { address: cred.address, username: cred.username, password: cred.password } : undefined,
                },
                // A published tag is a promise to users: `pulumi destroy` must not delete it, and it
                // never moves to an image that failed the smoke test.
                { parent: this, retainOnDelete: true, dependsOn: [...(gate ? [gate] : []), ...(exact ? [exact] : [])] },
            );
            indexes.set(tag.reference, index);
        }
        return indexes;
    }

    /**
     * `repo@digest` from an Index's `repo:tag@digest`. A `pulumi refresh` that could not
     * read the registry (a 401) leaves the bare tag in the state; that is no reason to fail
     * the next update: the tag itself still names the image, and a refresh with working
     * credentials pins it again.
     */
    private pinnedRefOf(exact: ImageTag, indexRef: string): string {
        const parsed = parsePinnedReference(indexRef);
        if (typeof parsed !== "string") {
            return pinnedReference(exact.repository, parsed.digest);
        }
        pulumi.log.warn(
            `${exact.reference}: docker-build reports no digest for this tag (its state holds "${indexRef}"), so imageRef is the tag, not a digest; ` +
                `run \`pulumi refresh\` with working registry credentials to pin it again`,
            this,
        );
        return exact.reference;
    }

    private warnBaseHeld(
        args: PgTrickleImageArgs,
        base: PinnedBase,
        seen: { digest: string; upstreamDigest: string; images: number; tags: ImageTag[] },
    ): void {
        pulumi.log.warn(
            `${base.name} moved upstream (${seen.digest} → ${seen.upstreamDigest}); version ${args.version.raw} keeps the base it was published on. ` +
                `A rebase (pulumi config set rebase true) would rebuild ${seen.images} image(s) and move ${seen.tags.length} tag(s): ` +
                seen.tags.map((t) => t.reference).join(", "),
            this,
        );
    }
}

function registryArgs(creds: RegistryCredential[]): dockerbuild.types.input.RegistryArgs[] | undefined {
    return creds.length > 0 ? creds.map((c) => ({ address: c.address, username: c.username, password: c.password })) : undefined;
}
