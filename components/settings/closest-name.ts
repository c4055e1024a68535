/** The allowed name within two edits of a typo, if any. */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const candidate of allowed) {
        const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
        if (distance <= 2 && (!best || distance < best.distance)) {
            best = { name: candidate, distance };
        }
    }
    return best?.name;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
