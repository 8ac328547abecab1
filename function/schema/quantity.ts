/**
 * Kubernetes resource quantities (`resource.Quantity` in apimachinery) read as numbers, for the
 * comparisons the API server makes on container resources (requests <= limits, whole numbers for
 * extended resources). Doubles are exact for every quantity a pod spec realistically carries
 * (binary suffixes are powers of two, decimal ones compare within the same scale).
 */
import { QUANTITY } from './k8s.js';

const QUANTITY_RE = new RegExp(QUANTITY);

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
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

/** The value of a quantity, or undefined when it is not one (the schema reports those). */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  // The same few quantities (50m, 64Mi) come back on every container of every call. Only short
  // strings are kept: a request can carry a 4 MB one.
  if (q.length > MAX_KNOWN_LENGTH) return parseQuantity(q);
  if (known.has(q)) return known.get(q);
  const value = parseQuantity(q);
  if (known.size >= MAX_KNOWN) known.clear();
  known.set(q, value);
  return value;
}

/** Values of quantity strings seen before; cleared when full, so it holds at most 1024 x 32 characters. */
const known = new Map<string, number | undefined>();
const MAX_KNOWN = 1024;
const MAX_KNOWN_LENGTH = 32;

function parseQuantity(q: string): number | undefined {
  // One match gives the sign (group 1), the number (2) and the suffix (6). No suffix starts with
  // a digit or '.', so the number is the longest leading run, as a second greedy match would take.
  const m = QUANTITY_RE.exec(q);
  if (m === null) return undefined;
  const mantissa = Number(`${m[1] ?? ''}${m[2] ?? ''}`);
  const suffix = m[6] ?? '';
  if (/^[eE]/.test(suffix)) return mantissa * 10 ** Number(suffix.slice(1));
  const scale = SUFFIX[suffix];
  return scale === undefined ? undefined : mantissa * scale;
}

/** Whole number (ParseQuantity of a value with no fractional part, e.g. `2`, `1k`, not `500m`). */
export const isWholeQuantity = (q: unknown): boolean => {
  const v = quantityValue(q);
  return v !== undefined && Number.isInteger(v);
};
