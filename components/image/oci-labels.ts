import * as pulumi from "@pulumi/pulumi";

export const SOURCE_URL = "https://github.com/trickle-labs/pg-trickle";

export interface OciLabelArgs {
    title: string;
    description: string;
    version: string;
    /** Git commit of the source; the label is left out when unknown. */
    revision?: string;
    /** Base image name, e.g. `docker.io/library/postgres:18-bookworm`. */
    baseName: string;
    /** Digest of the base image (resolved at preview or pinned in config). */
    baseDigest: pulumi.Input<string>;
}

/**
 * OCI annotations for an image (https://github.com/opencontainers/image-spec/blob/main/annotations.md).
 * Deliberately no `created` timestamp: a label that changes every run would make a
 * no-op `pulumi up` rebuild and re-push.
 */
export function ociLabels(args: OciLabelArgs): pulumi.Output<Record<string, string>> {
    return pulumi.output(args.baseDigest).apply((baseDigest): Record<string, string> => ({
        "org.opencontainers.image.title": args.title,
        "org.opencontainers.image.description": args.description,
        "org.opencontainers.image.version": args.version,
        ...(args.revision ? { "org.opencontainers.image.revision": args.revision } : {}),
        "org.opencontainers.image.source": SOURCE_URL,
        "org.opencontainers.image.url": SOURCE_URL,
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.vendor": "trickle-labs",
        "org.opencontainers.image.base.name": args.baseName,
        "org.opencontainers.image.base.digest": baseDigest,
    }));
}
