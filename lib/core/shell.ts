/** Quotes a value for a POSIX shell command line (printed `az` commands), leaving plain values readable. */
export function shellQuote(value: string): string {
  return /^[-A-Za-z0-9_./:=@]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
