/**
 * Ordering for generated output. `String.prototype.localeCompare` follows the machine's locale, so two machines
 * could order the same names differently; output order must not depend on where synth runs.
 */

/** Compares two strings by UTF-16 code units, the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
