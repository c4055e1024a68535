import * as pulumi from "@pulumi/pulumi";

/**
 * Spec of the namespaced ImageCatalog the Cluster points at. CNPG reads the PG major
 * from the catalog entry, which is why a digest-only reference (no parsable tag) works.
 */
export function imageCatalogSpec(pgMajor: number, image: pulumi.Input<string>) {
    return { images: [{ major: pgMajor, image }] };
}
