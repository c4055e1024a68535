/**
 * Kubernetes resource quantities (`1Gi`, `500m`, `2`), the grammar of
 * k8s.io/apimachinery `resource.Quantity` that the CRD schemas use as their pattern.
 */

const QUANTITY_RE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;

const SUFFIX_FACTORS: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The numeric value of a quantity (bytes, cores, …), or undefined when the text is not one. */
export function quantityValue(text: string): number | undefined {
    const m = QUANTITY_RE.exec(text);
    if (!m) {
        return undefined;
    }
    const [, number, suffix] = m;
    if (suffix === undefined) {
        return Number(number);
    }
    // "E" alone is exa; "e3" / "E3" is a decimal exponent.
    const factor = suffix.length > 1 && /^[eE][^i]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTORS[suffix];
    return Number(number) * factor;
}
