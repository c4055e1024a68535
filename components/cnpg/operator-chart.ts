/**
 * The CloudNativePG operator as installed by this project: the official Helm chart,
 * pinned. Chart 0.29.0 ships operator 1.30.0, whose CRD schemas the tests validate
 * against (test/data/cnpg/1.30.0).
 */
export const CNPG_CHART = {
    repository: "https://cloudnative-pg.github.io/charts",
    chart: "cloudnative-pg",
    version: "0.29.0",
    operatorVersion: "1.30.0",
    /** Helm release name; the operator's objects are named after it. */
    releaseName: "cnpg",
} as const;

/**
 * Values of the operator release. The CRDs come with the chart (they are templates
 * behind `crds.create`), and the operator watches every namespace so the cluster can
 * live in its own.
 */
export function operatorValues() {
    return {
        crds: { create: true },
        config: { clusterWide: true },
    };
}
