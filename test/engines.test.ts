/**
 * `npm ci` on the Node the project supports prints no EBADENGINE warning: every locked package
 * (dev dependencies included) accepts the oldest Node that package.json's `engines` allows.
 * kubernetes-models 5 wants Node >= 22; the dev dependency is pinned to 4.x and the SDK's copy
 * (which the SDK names in comments only, never imports) is overridden to the same (`overrides`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

/** The lowest major.minor a `>=X.Y` range allows (the only form our engines field uses). */
const floor = (range: string): [number, number] => {
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range.trim());
  if (m === null) throw new Error(`package.json engines.node "${range}" is not a >= range`);
  return [Number(m[1]), Number(m[2] ?? 0)];
};

/** Whether an engines range admits the version: any `||` alternative whose `>=` bounds and `^` major fit. */
function admits(range: string, [major, minor]: [number, number]): boolean {
  return range.split('||').some((alt) => {
    const bounds = [...alt.matchAll(/>=\s*v?(\d+)(?:\.(\d+))?/g)].map((b) => [Number(b[1]), Number(b[2] ?? 0)] as const);
    const caret = /\^\s*(\d+)(?:\.(\d+))?/.exec(alt);
    if (caret !== null && (Number(caret[1]) !== major || minor < Number(caret[2] ?? 0))) return false;
    return bounds.every(([M, m]) => major > M || (major === M && minor >= m));
  });
}

describe('engines', () => {
  const oldest = floor(pkg.engines.node);

  it('the range check reads the forms locked packages use', () => {
    expect(admits('>=22', [20, 19])).toBe(false);
    expect(admits('>=14', [20, 19])).toBe(true);
    expect(admits('^18.17.0 || >=20.5.0', [20, 19])).toBe(true);
    expect(admits('^18.17.0 || >=20.20', [20, 19])).toBe(false);
  });

  it(`every locked package accepts Node ${oldest.join('.')} (no EBADENGINE on npm ci)`, () => {
    const refused = Object.entries(lock.packages)
      .flatMap(([path, p]) => (typeof p.engines === 'object' && !Array.isArray(p.engines) && typeof p.engines.node === 'string' ? [[path, p.version, p.engines.node] as const] : []))
      .filter(([, , node]) => !admits(node, oldest))
      .map(([path, version, node]) => `${path}@${version ?? '?'} wants node ${node}`);
    expect(refused).toEqual([]);
  });
});
