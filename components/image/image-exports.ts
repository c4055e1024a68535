import type * as dockerbuild from "@pulumi/docker-build";

/*
 * Exports are written as `raw` buildx strings on purpose. docker-build writes an export's
 * `names` as `name=a,name=b` and buildx keeps only the last, so a second repository (or a
 * second local tag) would silently get nothing. BuildKit's exporters take one `name`
 * attribute holding a comma-separated list; buildx reads the export as CSV, so that
 * attribute must be a quoted field: `"name=a,b"`.
 *
 * Each Image gets exactly one export: docker-build refuses several at check time
 * (pulumi/pulumi-docker-build#774, the check runs before the builder is up).
 */

/** Quotes a CSV field when it holds a comma or a quote (RFC 4180, as buildx parses exports). */
export function csvField(field: string): string {
    return /[",\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Pushes the per-platform image by digest (no tag) to every repository in `names`. */
export function pushByDigestExport(names: readonly string[], opts: { insecure: boolean }): dockerbuild.types.input.ExportArgs {
    const attrs = ["type=image", csvField(`name=${names.join(",")}`), "push=true", "push-by-digest=true"];
    if (opts.insecure) {
        // A loopback registry (kind's at localhost:5001, a local mirror) speaks plain HTTP.
        attrs.push("registry.insecure=true");
    }
    return { raw: attrs.join(",") };
}

/** Loads the image into the local Docker engine under every name in `names`. */
export function dockerLoadExport(names: readonly string[]): dockerbuild.types.input.ExportArgs {
    return { raw: ["type=docker", csvField(`name=${names.join(",")}`)].join(",") };
}
