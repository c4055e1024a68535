import { compareSemVer, isStable, SemVer } from "./semver";

/** Which rule of the tag policy produced a tag. */
export type TagKind = "exact" | "minor" | "major" | "pg" | "latest";

export interface ImageTag {
    /** Fully qualified repository, e.g. `docker.io/pgtrickle/pg_trickle`. */
    repository: string;
    /** The tag alone, e.g. `1.0-pg18`. */
    tag: string;
    /** `repository:tag`, fully qualified. */
    reference: string;
    kind: TagKind;
}

export interface TagPolicyArgs {
    /** pg_trickle version, already validated as SemVer. */
    version: SemVer;
    /** PostgreSQL major of this image. */
    pgMajor: number;
    /** Newest PostgreSQL major built by this release: only it gets `latest`. */
    newestPgMajor: number;
    /** Fully qualified repositories; each gets the same tags. */
    repositories: readonly string[];
    /**
     * Versions published before (pre-releases ignored). A floating tag only moves when this
     * version is the newest of the versions that tag covers, so a backport never moves
     * `latest`, `pgNN` or `X-pgNN` back. Default: none.
     */
    publishedVersions?: readonly SemVer[];
}

/**
 * The tag policy. For version X.Y.Z and PostgreSQL major NN, on each repository:
 * - `X.Y.Z-pgNN` always (a pre-release such as `1.3.0-rc.1` gets only this exact tag);
 * - for a stable release also `X.Y-pgNN`, `X-pgNN` (only when X >= 1), `pgNN`, and `latest`
 *   (only for the newest PG major built), each only when no newer published version
 *   already owns it.
 */
export function imageTags(args: TagPolicyArgs): ImageTag[] {
    const { version: v, pgMajor, newestPgMajor } = args;
    const pg = `pg${pgMajor}`;
    const wanted: { tag: string; kind: TagKind }[] = [{ tag: `${v.raw}-${pg}`, kind: "exact" }];
    if (isStable(v)) {
        const published = (args.publishedVersions ?? []).filter(isStable);
        const newestOf = (covers: (p: SemVer) => boolean) =>
            published.filter(covers).every((p) => compareSemVer(v, p) >= 0);
        if (newestOf((p) => p.major === v.major && p.minor === v.minor)) {
            wanted.push({ tag: `${v.major}.${v.minor}-${pg}`, kind: "minor" });
        }
        if (v.major >= 1 && newestOf((p) => p.major === v.major)) {
            wanted.push({ tag: `${v.major}-${pg}`, kind: "major" });
        }
        if (newestOf(() => true)) {
            wanted.push({ tag: pg, kind: "pg" });
            if (pgMajor === newestPgMajor) {
                wanted.push({ tag: "latest", kind: "latest" });
            }
        }
    }
    return args.repositories.flatMap((repository) =>
        wanted.map(({ tag, kind }) => ({ repository, tag, kind, reference: `${repository}:${tag}` })),
    );
}
