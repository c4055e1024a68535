import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** Repository of the base image unless `baseImage` names another (a mirror, a hardened base). */
export const DEFAULT_BASE_IMAGE = "docker.io/library/postgres";

/** The base of both Dockerfile stages: the builder and the runtime must share a Debian release. */
export function baseImageName(repository: string, pgMajor: number): string {
    return `${repository}:${pgMajor}-bookworm`;
}

/** Docker Hub's names for itself; the registry API lives at registry-1.docker.io. */
const DOCKER_HUB_ALIASES = ["docker.io", "index.docker.io"];

/**
 * The name to hand `getRegistryImage` for a fully qualified image name. The provider
 * (terraform-provider-docker's `parseImageOptions`, bundled in @pulumi/docker 5.2.0)
 * takes a first path component with a dot as the registry host and asks
 * `https://<host>/v2/…`; `docker.io` is no registry endpoint. Without the host
 * (`library/postgres:18-bookworm`) it asks Docker Hub's registry, registry-1.docker.io.
 * Every other registry keeps its host.
 */
export function registryLookupName(name: string): string {
    const host = name.slice(0, name.indexOf("/"));
    return DOCKER_HUB_ALIASES.includes(host) ? name.slice(host.length + 1) : name;
}

/** Which base digest a build uses, and whether a recorded one is kept although upstream moved. */
export interface BaseChoice {
    digest: string;
    /** Upstream differs from the digest this version was published on, and no rebase was asked for. */
    held: boolean;
}

/**
 * A version keeps the base it was published on: re-running a release must not rebuild
 * and move its tags because upstream pushed a new base. Only `rebase` moves it.
 */
export function chooseBaseDigest(upstream: string, recorded: string | undefined, rebase: boolean): BaseChoice {
    if (recorded === undefined || rebase) {
        return { digest: upstream, held: false };
    }
    return { digest: recorded, held: upstream !== recorded };
}

export interface BaseImageArgs {
    /** Repository of the base image, fully qualified. Required. */
    repository: string;
    pgMajor: number;
    /** Digest pinned in config (`baseImageDigests`). Default: looked up in the registry at preview. */
    pinnedDigest?: string;
    /** Digest this version was published on, as the stack recorded it. Default: none (a new version). */
    recordedDigest?: string;
    /** Use the upstream digest even when a recorded one exists. Default in config: false. */
    rebase: boolean;
}

export interface PinnedBase {
    /** `repository:<major>-bookworm`, fully qualified. */
    name: string;
    /** Digest the build uses. */
    digest: pulumi.Output<string>;
    /** `name@digest`, passed to the build as BASE_IMAGE. */
    ref: pulumi.Output<string>;
    /** Digest upstream (or config) has now. */
    upstreamDigest: pulumi.Output<string>;
    /** True when the recorded base is kept although upstream moved (a rebase would rebuild). */
    held: pulumi.Output<boolean>;
    /** The name `getRegistryImage` is asked for; undefined when config pins the digest. */
    lookupName?: string;
}

/**
 * Pins the base image of a PG major by digest: from config when given, otherwise by a
 * registry look-up at preview time (no Docker engine needed), then keeps the digest
 * this version was published on unless a rebase is asked for.
 */
export function pinBaseImage(args: BaseImageArgs, opts: { parent: pulumi.Resource; registryProvider: () => docker.Provider }): PinnedBase {
    const name = baseImageName(args.repository, args.pgMajor);
    const lookupName = args.pinnedDigest ? undefined : registryLookupName(name);
    const upstreamDigest = lookupName
        ? docker.getRegistryImageOutput({ name: lookupName }, { parent: opts.parent, provider: opts.registryProvider() }).apply((r) => r.sha256Digest)
        : pulumi.output(args.pinnedDigest!);
    const choice = upstreamDigest.apply((upstream) => chooseBaseDigest(upstream, args.recordedDigest, args.rebase));
    const digest = choice.apply((c) => c.digest);
    return { name, digest, ref: pulumi.interpolate`${name}@${digest}`, upstreamDigest, held: choice.apply((c) => c.held), lookupName };
}
