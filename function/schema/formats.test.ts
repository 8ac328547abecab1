/**
 * The handler has two definitions that must agree: the two-step check rules.ts and the CEL rules
 * run (no forbidden character, then module.attr[.attr]) and the single OpenAPI `pattern` of the
 * generated schemas. Checked for every code point in every position that matters.
 */
import { describe, expect, it } from 'vitest';
import { HANDLER_PATTERN, HANDLER_FORBIDDEN_CHARS, HANDLER_SHAPE, PYTHON_EXECUTABLE_PATTERN } from './formats.js';
import { validateAsyncActor } from './validate.js';

const pattern = new RegExp(HANDLER_PATTERN, 'u');
const forbidden = new RegExp(HANDLER_FORBIDDEN_CHARS, 'u');
const shape = new RegExp(HANDLER_SHAPE, 'u');
const twoStep = (h: string) => !forbidden.test(h) && shape.test(h);

describe('handler formats', () => {
  it('the OpenAPI pattern accepts exactly what the two-step check accepts, for every code point', () => {
    const disagree: string[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      for (const h of [c, `${c}.b`, `a.${c}`, `a${c}b.c`, `a.b${c}`, `a.${c}.c`]) {
        if (pattern.test(h) !== twoStep(h)) disagree.push(JSON.stringify(h));
      }
    }
    expect(disagree).toEqual([]);
  });

  it.each(['handler', 'a..b', '.a', 'a.', 'a. b', 'a.b\u0000', 'a.\u202eb', 'a.b\u3000'])('%j matches neither', (h) => {
    expect(pattern.test(h)).toBe(false);
    expect(twoStep(h)).toBe(false);
  });

  it.each(['a.b', 'inference.Inference.process', 'módulo.función', 'pkg._private.__call__'])('%j matches both', (h) => {
    expect(pattern.test(h)).toBe(true);
    expect(twoStep(h)).toBe(true);
  });
});

describe('the schema leaves the format rules to rules.ts', () => {
  const doc = (spec: Record<string, unknown>) => ({
    apiVersion: 'asya.sh/v1alpha1',
    kind: 'AsyncActor',
    metadata: { name: 'a' },
    spec: { image: 'i:1', handler: 'h.p', ...spec },
  });
  const rules = (spec: Record<string, unknown>) => {
    const r = validateAsyncActor(doc(spec));
    return r.ok ? [] : r.issues.map((i) => `${i.rule} ${i.path.join('.')}`);
  };

  it('reports the rule, not a zod shape error, for a bad or too long value', () => {
    expect(rules({ handler: `a.${'b'.repeat(600)}` })).toEqual(['handler-format spec.handler']);
    expect(rules({ pythonExecutable: `/${'p'.repeat(300)}` })).toEqual(['python-executable spec.pythonExecutable']);
    expect(rules({ sidecars: [{ name: 'Envoy', image: 'envoy:1' }] })).toEqual(['user-name-dns-label spec.sidecars.0.name']);
    expect(rules({ volumes: [{ name: 'v' }, { name: 'v' }] })).toEqual(['unique-volume-names spec.volumes.1.name']);
  });

  it('keeps the pythonExecutable default inside its own pattern', () => {
    const r = validateAsyncActor(doc({}));
    expect(r.ok && r.value.spec.pythonExecutable).toBe('python3');
    expect(new RegExp(PYTHON_EXECUTABLE_PATTERN).test('python3')).toBe(true);
  });
});
