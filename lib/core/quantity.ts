/** Kubernetes resource quantities ("500m", "2", "16Gi") parsed to numbers, for comparisons in validation. */

const SUFFIXES: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** True when `text` is a quantity this module understands (decimal and binary suffixes, no exponents). */
export function isQuantity(text: string): boolean {
  return QUANTITY.test(text);
}

/** The value of a quantity in base units (cores, bytes); throws on malformed input. */
export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = QUANTITY.exec(text);
  if (!match) throw new Error(`"${text}" is not a Kubernetes quantity (expected a number with an optional suffix such as 500m, 2, 512Mi or 16Gi)`);
  return Number(match[1]) * SUFFIXES[match[2] ?? ''];
}
