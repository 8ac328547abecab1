/**
 * Valid label maps (XR labels, nodeSelector) of an exact size in characters of keys and values,
 * for the size bound (MAX_LABEL_MAP_SIZE): the tests at the bound and the real API server's check
 * that what the bound admits is stored.
 */

/**
 * Long entries: 7-character keys (the first three integer-like, which V8 lists first) and values
 * of up to 63 characters. `size` must be at least 14.
 */
export function longEntries(size: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const key = () => (i < 3 ? String(1_000_000 + i++) : `k${String(i++).padStart(6, '0')}`);
  let left = size;
  for (; left > 140; left -= 70) out[key()] = 'v'.repeat(63);
  const a = Math.floor((left - 14) / 2);
  out[key()] = 'v'.repeat(a);
  out[key()] = 'w'.repeat(left - 14 - a);
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MIDDLE = `${ALNUM}-_.`;

/**
 * The most entries a size allows: distinct 3-character keys with empty values (1- and 2-character
 * keys for the remainder), the map that costs the most to store per character.
 */
export function tinyEntries(size: number): Record<string, string> {
  const out: Record<string, string> = {};
  const n = Math.floor(size / 3);
  let made = 0;
  for (const a of ALNUM) {
    for (const b of MIDDLE) {
      for (const c of ALNUM) {
        if (made === n) break;
        out[a + b + c] = '';
        made++;
      }
    }
  }
  if (made < n) throw new Error(`tinyEntries: ${size} needs more than ${made} 3-character keys`);
  const rest = size - 3 * n;
  if (rest === 1) out['a'] = '';
  if (rest === 2) out['ab'] = '';
  return out;
}

/** Characters of keys and values. */
export const mapSize = (m: Record<string, string>): number => Object.entries(m).reduce((n, [k, v]) => n + k.length + v.length, 0);
