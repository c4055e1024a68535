/**
 * Annotations that make the Kubernetes provider wait for a custom resource (it has no
 * built-in readiness check for CRDs) and fail the update after a timeout.
 * `waitFor` takes kubectl-wait style expressions: `condition=Ready` or `jsonpath={…}=value`.
 */
export function awaitAnnotations(waitFor: string, timeoutSeconds: number): Record<string, string> {
    return {
        "pulumi.com/waitFor": waitFor,
        "pulumi.com/timeoutSeconds": String(timeoutSeconds),
    };
}
