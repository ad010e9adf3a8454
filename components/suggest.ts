/** "Did you mean" support: the known name closest to a mistyped one. */

/** Levenshtein distance between `a` and `b`, case-insensitive (a case slip costs nothing). */
export function editDistance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
    for (let i = 1; i <= s.length; i++) {
        const current = [i];
        for (let j = 1; j <= t.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[t.length];
}

/**
 * The candidate nearest to `name`, if it is near enough to be a typo (at most a third of the name's length,
 * and at least 2 edits, so transpositions count) or one contains the other (`lora` for `loraAdapters`).
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = editDistance(name, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))) {
        return best;
    }
    const lower = name.toLowerCase();
    return candidates.find((c) => c.length >= 4 && (lower.includes(c.toLowerCase()) || c.toLowerCase().includes(lower)) && lower.length >= 4);
}
