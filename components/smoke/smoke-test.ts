import * as pulumi from "@pulumi/pulumi";
import { smokeTestProvider } from "./smoke-provider";

export const DEFAULT_READY_TIMEOUT_SECONDS = 120;

export interface SmokeTestArgs {
    /** The just-built image for this machine's platform, pinned by digest (`repository@sha256:…`); a new digest reruns the test. Required. */
    imageRef: pulumi.Input<string>;
    /** pg_trickle version `pgtrickle.version()` must report. Required. */
    expectedVersion: pulumi.Input<string>;
    /** Platform the container runs as (`linux/amd64`, `linux/arm64`): the platform of the machine running `pulumi up`. Required. */
    platform: pulumi.Input<string>;
    /** How long PostgreSQL may take to accept connections once the container runs. Default: 120. */
    readyTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * The smoke gate: `pulumi up` runs the image in a local container (Docker engine
 * needed) and checks the server, the image's defaults, the extension version and a
 * stream table refresh; any failure fails the update with the check's name and what
 * it saw. Resources that must wait for a tested image (the tags) depend on it.
 * It reruns only when the image digest, version or platform changes.
 */
export class SmokeTest extends pulumi.dynamic.Resource {
    declare readonly imageRef: pulumi.Output<string>;
    declare readonly expectedVersion: pulumi.Output<string>;
    declare readonly platform: pulumi.Output<string>;
    declare readonly readyTimeoutSeconds: pulumi.Output<number>;
    /** The image that passed. */
    declare readonly checkedRef: pulumi.Output<string>;
    /** What `pgtrickle.version()` reported. */
    declare readonly extensionVersion: pulumi.Output<string>;
    /** PostgreSQL's server_version in the image. */
    declare readonly postgresVersion: pulumi.Output<string>;

    constructor(name: string, args: SmokeTestArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            smokeTestProvider,
            name,
            {
                imageRef: args.imageRef,
                expectedVersion: args.expectedVersion,
                platform: args.platform,
                readyTimeoutSeconds: args.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS,
                // Outputs the provider fills in; listed so they become properties of this resource.
                checkedRef: undefined,
                extensionVersion: undefined,
                postgresVersion: undefined,
            },
            opts,
        );
    }
}
