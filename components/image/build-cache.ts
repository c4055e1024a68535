import type * as dockerbuild from "@pulumi/docker-build";

/** Build cache backends a stack can choose (config `cache`). */
export const CACHE_MODES = ["none", "local", "registry", "gha"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export interface BuildCache {
    cacheFrom: dockerbuild.types.input.CacheFromArgs[];
    cacheTo: dockerbuild.types.input.CacheToArgs[];
}

export interface BuildCacheArgs {
    mode: CacheMode;
    /** Repository that holds the registry cache (the first published repository). */
    repository: string;
    pgMajor: number;
    /** `amd64` / `arm64`: each platform has its own cache so parallel builds never overwrite each other. */
    arch: string;
    /** Whether this build may write the cache (registry writes need push credentials). */
    write: boolean;
}

/** One cache per PG major and platform: `<repo>:buildcache-pg18-amd64`, mode max (every stage, so dependencies too). */
export function buildCache(args: BuildCacheArgs): BuildCache {
    const scope = `pg${args.pgMajor}-${args.arch}`;
    switch (args.mode) {
        case "none":
            return { cacheFrom: [], cacheTo: [] };
        case "local": {
            const dir = `.buildcache/${scope}`;
            return {
                cacheFrom: [{ local: { src: dir } }],
                cacheTo: args.write ? [{ local: { dest: dir, mode: "max" } }] : [],
            };
        }
        case "registry": {
            const ref = `${args.repository}:buildcache-${scope}`;
            return {
                cacheFrom: [{ registry: { ref } }],
                cacheTo: args.write ? [{ registry: { ref, mode: "max", imageManifest: true, ociMediaTypes: true } }] : [],
            };
        }
        case "gha":
            return {
                cacheFrom: [{ gha: { scope } }],
                cacheTo: args.write ? [{ gha: { scope, mode: "max" } }] : [],
            };
    }
}
