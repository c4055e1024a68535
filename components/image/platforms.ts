/** Platforms the image is published for; each builds as its own docker-build Image. */
export const SUPPORTED_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type ImagePlatform = (typeof SUPPORTED_PLATFORMS)[number];

export function isSupportedPlatform(p: string): p is ImagePlatform {
    return (SUPPORTED_PLATFORMS as readonly string[]).includes(p);
}

/** The architecture part (`amd64`), used in resource names and cache refs. */
export function platformArch(p: ImagePlatform): string {
    return p.split("/")[1];
}

/** The platform of the machine running the program (`process.arch` naming differs from Docker's). */
export function hostPlatform(arch: string = process.arch): ImagePlatform | undefined {
    return arch === "x64" ? "linux/amd64" : arch === "arm64" ? "linux/arm64" : undefined;
}
