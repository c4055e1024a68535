import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** The base of both Dockerfile stages: the builder and the runtime must share a Debian release. */
export function baseImageName(pgMajor: number): string {
    return `docker.io/library/postgres:${pgMajor}-bookworm`;
}

export interface PinnedBase {
    name: string;
    digest: pulumi.Output<string>;
    /** `name@digest`, passed to the build as BASE_IMAGE. */
    ref: pulumi.Output<string>;
}

/**
 * Pins the base image of a PG major by digest: from config when given, otherwise by a
 * registry look-up at preview time (no Docker engine needed), so a new upstream base
 * shows up as a diff of BASE_IMAGE in `pulumi preview` instead of sneaking into a rebuild.
 */
export function pinBaseImage(
    pgMajor: number,
    pinnedDigest: string | undefined,
    opts: { parent: pulumi.Resource; registryProvider: () => docker.Provider },
): PinnedBase {
    const name = baseImageName(pgMajor);
    const digest = pinnedDigest
        ? pulumi.output(pinnedDigest)
        : docker
              .getRegistryImageOutput({ name }, { parent: opts.parent, provider: opts.registryProvider() })
              .apply((r) => r.sha256Digest);
    return { name, digest, ref: pulumi.interpolate`${name}@${digest}` };
}
