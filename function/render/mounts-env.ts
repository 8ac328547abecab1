/**
 * `ASYA_STATE_PROXY_MOUNTS` (`contract.md` §2): the one string the runtime reads to learn its
 * mounts. `parseMountsEnv` reproduces the upstream runtime's parser, quirks included, so tests can
 * prove that what we emit is read back exactly as meant.
 */
import type { StateProxyEntry, WriteMode } from '../schema/async-actor.js';

/** The entry-level field wins; `mount.writeMode` exists because the user guide shows it there. */
export const effectiveWriteMode = (entry: StateProxyEntry): WriteMode =>
  entry.writeMode ?? entry.mount.writeMode ?? 'buffered';

/**
 * `<name>:<path>:write=<mode>` joined by `;` in spec order. Relies on the schema rules: names are
 * DNS labels and paths contain no `:` `;` or whitespace, so no escaping is needed (and the runtime
 * has none to offer).
 */
export function formatMountsEnv(mounts: readonly StateProxyEntry[]): string {
  return mounts.map((m) => `${m.name}:${m.mount.path}:write=${effectiveWriteMode(m)}`).join(';');
}

/** What the runtime holds for one mount after parsing. */
export interface ParsedMount {
  readonly name: string;
  /** Always ends with `/`: the runtime appends one and matches file paths by prefix. */
  readonly path: string;
  readonly write: WriteMode;
  /** Options the runtime ignores, kept so tests can see what was lost. */
  readonly ignored: readonly string[];
}

/** The runtime raises on this, which exits the process (CrashLoopBackOff). */
export class MountsEnvError extends Error {
  override readonly name = 'MountsEnvError';
}

/** Python's `str.strip()` with no argument strips Unicode whitespace, as `trim()` does. */
const strip = (s: string): string => s.trim();

/**
 * Python `entry.split(':', 2)`: at most two splits, the rest stays in the third part. JavaScript's
 * `split(':', 3)` would instead drop everything after the third piece, hence the manual version.
 */
function splitTwice(entry: string): string[] {
  const first = entry.indexOf(':');
  if (first < 0) return [entry];
  const second = entry.indexOf(':', first + 1);
  if (second < 0) return [entry.slice(0, first), entry.slice(first + 1)];
  return [entry.slice(0, first), entry.slice(first + 1, second), entry.slice(second + 1)];
}

/**
 * Mirrors the upstream parser: split on `;`, strip, skip empties; each entry split on the first two
 * `:` must give three parts or it raises; options are `k=v` pairs split on `,`, unknown keys
 * ignored; `write` defaults to buffered and any value other than exactly `buffered` means
 * passthrough; a trailing `/` is added to the path; paths are not normalised.
 *
 * Not pinned down by the contract: an option without `=`. We read it like Python's
 * `str.partition('=')` (a key with an empty value, then ignored), which never raises.
 */
export function parseMountsEnv(value: string): ParsedMount[] {
  const out: ParsedMount[] = [];
  for (const raw of value.split(';')) {
    const entry = strip(raw);
    if (entry === '') continue;
    const parts = splitTwice(entry);
    const [name, path, options] = parts;
    if (parts.length !== 3 || name === undefined || path === undefined || options === undefined) {
      throw new MountsEnvError(`invalid state proxy mount entry ${JSON.stringify(entry)}: expected <name>:<path>:<options>`);
    }
    let write: WriteMode = 'buffered';
    const ignored: string[] = [];
    for (const option of options.split(',')) {
      const eq = option.indexOf('=');
      const key = eq < 0 ? option : option.slice(0, eq);
      const val = eq < 0 ? '' : option.slice(eq + 1);
      if (key === 'write') {
        write = val === 'buffered' ? 'buffered' : 'passthrough';
      } else {
        ignored.push(option);
      }
    }
    out.push({ name, path: path.endsWith('/') ? path : `${path}/`, write, ignored });
  }
  return out;
}
