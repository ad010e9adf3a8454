/**
 * Labels every object llmd renders carries, whichever component renders it, so one selector
 * (`app.kubernetes.io/managed-by=llmd`) finds everything llmd manages in a cluster.
 */
export const LLMD_LABELS = {
    "app.kubernetes.io/part-of": "llm-d",
    "app.kubernetes.io/managed-by": "llmd",
} as const;
