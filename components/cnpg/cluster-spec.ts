import * as pulumi from "@pulumi/pulumi";
import type { CnpgSettings } from "./cnpg-settings";
import { PG_TRICKLE } from "./postgres-parameters";

/** What runs PostgreSQL: this project's image, or CNPG's image plus the extension image volume. */
export type Operand =
    /** The full image; its `postgres` user (Docker's official image: 999:999, CNPG's default is 26). */
    | { mode: "full"; uid: number; gid: number }
    /** The extension-only image mounted into CNPG's operand image (pinned reference). */
    | { mode: "extension"; extensionImage: pulumi.Input<string> };

export interface ClusterSpecInput {
    settings: Pick<
        CnpgSettings,
        "instances" | "storage" | "resources" | "database" | "owner" | "parameters" | "enableSuperuserAccess"
    >;
    /** Name of the ImageCatalog (same namespace) holding the operand image. */
    catalogName: string;
    /** PostgreSQL major of the operand image, the catalog entry to use. */
    pgMajor: number;
    operand: Operand;
    /** Secret with registry credentials for pulling the images. Default: none. */
    pullSecretName?: string;
}

/** Spec of the CNPG Cluster (postgresql.cnpg.io/v1). */
export function clusterSpec(input: ClusterSpecInput) {
    const { settings, operand } = input;
    return {
        instances: settings.instances,
        imageCatalogRef: { apiGroup: "postgresql.cnpg.io", kind: "ImageCatalog", name: input.catalogName, major: input.pgMajor },
        ...(operand.mode === "full" ? { postgresUID: operand.uid, postgresGID: operand.gid } : {}),
        ...(input.pullSecretName ? { imagePullSecrets: [{ name: input.pullSecretName }] } : {}),
        enableSuperuserAccess: settings.enableSuperuserAccess,
        storage: settings.storage,
        ...(settings.resources ? { resources: settings.resources } : {}),
        bootstrap: { initdb: { database: settings.database, owner: settings.owner } },
        postgresql: {
            shared_preload_libraries: [PG_TRICKLE],
            parameters: settings.parameters,
            // Mounted at /extensions/pg_trickle; CNPG's defaults (share/, lib/) match the image layout.
            ...(operand.mode === "extension" ? { extensions: [{ name: PG_TRICKLE, image: { reference: operand.extensionImage } }] } : {}),
        },
    };
}
