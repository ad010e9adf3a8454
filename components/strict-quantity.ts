/**
 * Kubernetes resource quantities (apimachinery `resource.ParseQuantity`): a non-negative decimal with an
 * optional binary-SI (`Ki`..`Ei`), decimal-SI (`n`, `u`, `m`, `k`, `M`..`E`) or exponent (`e3`) suffix.
 */
const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const MULTIPLIER: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Whether `text` is a quantity the API server accepts for a resource request or limit. */
export function isQuantity(text: string): boolean {
    return QUANTITY.test(text);
}

/** The value of a quantity in base units (NaN when it is not one), precise enough to compare two. */
export function quantityValue(text: string): number {
    const match = QUANTITY.exec(text);
    if (!match) {
        return NaN;
    }
    const suffix = match[3] ?? "";
    const number = Number(match[1]);
    return /^[eE]/.test(suffix) ? number * 10 ** Number(suffix.slice(1)) : number * MULTIPLIER[suffix];
}
