/** Shell quoting for the scripts and commands llmd renders. */

/** `value` as one POSIX shell word (single-quoted unless it is plainly safe). */
export function shQuote(value: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** Paths llmd puts into systemd units and scripts: absolute, no spaces or shell/systemd specials. */
export const SAFE_PATH = /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/;
