/**
 * Step-input mistakes read as sentences with the offending value, like the actor's own
 * (schema/messages.ts), not zod's defaults ("Invalid option: expected one of ...").
 */
import { describe, expect, it } from 'vitest';
import { parseStepInput } from './schema.js';

const cases: ReadonlyArray<readonly [string, unknown, string, string]> = [
  ['an unknown sidecar mode', { sidecarMode: 'bogus' }, 'input.sidecarMode', '"bogus" is not one of "native", "containers"'],
  ['a resource key of the wrong type', { resourceKey: 5 }, 'input.resourceKey', 'expected a string, got the number 5'],
  ['a flag that is not a boolean', { podReferences: { check: 'yes' } }, 'input.podReferences.check', 'expected true or false, got the string "yes"'],
];

describe('parseStepInput messages', () => {
  it.each(cases)('%s', (_name, raw, path, message) => {
    const parsed = parseStepInput(raw);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => [i.path.join('.'), i.message])).toEqual([[path, message]]);
  });
});
