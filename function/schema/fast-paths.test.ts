/**
 * The shortcuts taken for speed give the answers of the straightforward code they replace:
 * quantityValue's single match, mountPathProblem's plain-ASCII shortcut past the seven character
 * checks, and qualifiedNameProblem's prefix-less pattern. Each reference below is the code before
 * the shortcut.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { QUALIFIED_NAME, QUANTITY, qualifiedNameProblem } from './k8s.js';
import { quantityValue } from './quantity.js';
import { mountPathProblem } from './rules.js';

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
function referenceQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string' || !new RegExp(QUANTITY).test(q)) return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
  if (m === null) return undefined;
  const mantissa = Number(m[1]);
  const suffix = m[2] ?? '';
  if (/^[eE]/.test(suffix)) return mantissa * 10 ** Number(suffix.slice(1));
  const scale = SUFFIX[suffix];
  return scale === undefined ? undefined : mantissa * scale;
}

const FORBIDDEN: readonly RegExp[] = [/:/u, /;/u, /"/u, /\\/u, /[\p{Z}\s]/u, /\p{Cc}/u, /\p{Cf}/u];
const WORDS = ["':' (the runtime splits ASYA_STATE_PROXY_MOUNTS entries on ':')", "';' (the runtime splits ASYA_STATE_PROXY_MOUNTS on ';')", `'"'`, "'\\'", 'whitespace', 'control characters', 'invisible formatting characters'];
function referencePath(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path (start with /)';
  if (path === '/') return 'must not be / (it would capture every file, including the runtime itself)';
  for (let i = 0; i < FORBIDDEN.length; i++) if ((FORBIDDEN[i] as RegExp).test(path)) return `must not contain ${WORDS[i]}`;
  if (path.endsWith('/')) return 'must not end with /';
  if (path.includes('//')) return 'must be normalised: no empty segments (//)';
  if (path.slice(1).split('/').some((s) => s === '.' || s === '..')) {
    return "must be normalised: no '.' or '..' segments (the runtime never matches a non-normalised mount path)";
  }
  return undefined;
}

describe('quantityValue', () => {
  const quantityish = fc.stringMatching(/^[-+]?[0-9.]{0,5}([eE][-+]?[0-9.]{0,3}|[KMGTPE]i?|[numk]|[a-zA-Z]{0,2})?$/);
  it('one match reads every string as the two-step parse did', () => {
    fc.assert(fc.property(fc.oneof(quantityish, fc.string({ maxLength: 8 })), (q) => {
      expect(quantityValue(q)).toBe(referenceQuantity(q));
    }), fcParams(3000));
  });
  it('examples', () => {
    for (const q of ['500m', '1Gi', '+1.5', '-.5', '5.', '1e3', '1E-3', '2.5e+2', '1.e5', '0', '1Ki', 'x', '', '1 ', '--1', '1e', 7, -1, Number.NaN]) {
      expect(quantityValue(q)).toBe(referenceQuantity(q));
    }
    expect(quantityValue('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityValue('-2m')).toBe(-0.002);
  });
});

describe('mountPathProblem', () => {
  // Mostly absolute paths of plain pieces, with now and then a character some check refuses.
  const plain = fc.constantFrom('/', '/', 'a', 'Z', '9', '.', '..', '-', '_');
  const special = fc.constantFrom(':', ';', '"', '\\', ' ', '\t', '\u00a0', '\u0000', '\u007f', '\u200b', '\u202e', '\u2028', 'é', '\u{1F600}', '~', '+');
  const piece = fc.oneof({ arbitrary: plain, weight: 5 }, { arbitrary: special, weight: 1 });
  const pathish = fc.tuple(fc.boolean(), fc.array(piece, { maxLength: 12 })).map(([abs, xs]) => (abs ? '/' : '') + xs.join(''));
  it('same problem as the seven checks in turn, for any string', () => {
    fc.assert(fc.property(fc.oneof(pathish, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 })), (p) => {
      expect(mountPathProblem(p)).toBe(referencePath(p));
    }), fcParams(1000));
  });
});

describe('qualifiedNameProblem', () => {
  const reference = (key: string) => {
    const slash = key.indexOf('/');
    const prefix = slash < 0 ? '' : key.slice(0, slash);
    if (prefix.length > 253) return 'long';
    return new RegExp(QUALIFIED_NAME).test(key) ? undefined : 'bad';
  };
  const keyish = fc.array(fc.constantFrom('a', 'Z', '0', '-', '_', '.', '/', 'é', ' ', 'example.com/', 'x'.repeat(62)), { maxLength: 8 }).map((xs) => xs.join(''));
  it('answers as the full pattern does, with and without a prefix', () => {
    fc.assert(fc.property(fc.oneof(keyish, fc.string({ maxLength: 70 })), (key) => {
      const ours = qualifiedNameProblem(key);
      const theirs = reference(key);
      expect(ours === undefined ? undefined : ours.startsWith('has a prefix') ? 'long' : 'bad').toBe(theirs);
    }), fcParams(3000));
  });
});
