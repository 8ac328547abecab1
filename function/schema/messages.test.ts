import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DNS_LABEL, NON_NEGATIVE_QUANTITY, QUALIFIED_NAME } from './k8s.js';
import { patternMessage, showValue, zodMessage } from './messages.js';
import { validateAsyncActor } from './validate.js';

const actor = (spec: Record<string, unknown>) => ({
  apiVersion: 'asya.sh/v1alpha1',
  kind: 'AsyncActor',
  metadata: { name: 'a', namespace: 'default' },
  spec: { image: 'ghcr.io/example/a:1', handler: 'h.f', ...spec },
});

const issuesOf = (spec: Record<string, unknown>) => {
  const r = validateAsyncActor(actor(spec));
  if (r.ok) throw new Error('expected the actor to be refused');
  return r.issues;
};

describe('shape-check messages', () => {
  it('say what a pattern means, with the offending value, never the regular expression', () => {
    expect(patternMessage(DNS_LABEL, 'Foo Bar')).toBe(`"Foo Bar" is not a valid DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit`);
    expect(patternMessage(`/${NON_NEGATIVE_QUANTITY}/`, '-1Gi')).toMatch(/^"-1Gi" is not a non-negative Kubernetes quantity: /);
    // zod and ajv report a pattern as RegExp.source, where '/' is escaped.
    expect(patternMessage(new RegExp(QUALIFIED_NAME).source, 'a/-b')).toMatch(/^"a\/-b" is not a valid label key: /);
    expect(patternMessage('^x$', 'y')).toBe('"y" does not have the required format');
  });

  it('reach the issues validate and the function report, with the pattern kept as detail', () => {
    const [secret] = issuesOf({ secretRefs: [{ secretName: 'App_Secrets', keys: [{ key: 'k', envVar: 'K' }] }] });
    expect(secret).toMatchObject({ path: ['spec', 'secretRefs', 0, 'secretName'], rule: 'schema' });
    expect(secret!.message).toMatch(/^"App_Secrets" is not a valid DNS subdomain: /);
    expect(secret!.message).not.toMatch(/pattern|\^|\$/);
    expect(secret!.detail).toMatchObject({ code: 'invalid_format', format: 'regex' });
    expect(String(secret!.detail!['pattern'])).toContain('[a-z0-9]');
  });

  it('put bounds, enums and types in words', () => {
    const messages = issuesOf({ replicas: 2147483648, imagePullPolicy: 'Sometimes', flavors: 'gpu', scaling: { enabled: false, queueLength: 1.5 } }).map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        '2147483648 is too large: must be at most 2147483647',
        '"Sometimes" is not one of "Always", "IfNotPresent", "Never"',
        'expected a list, got the string "gpu"',
        'expected an integer, got the number 1.5',
      ]),
    );
    expect(issuesOf({ handler: undefined }).map((i) => i.message)).toEqual(['required field is missing']);
  });

  it('leave a message set in the schema alone', () => {
    const schema = z.string().refine((s) => s === 'x', { message: 'must be x' });
    expect(schema.safeParse('y', { error: zodMessage }).error?.issues[0]?.message).toBe('must be x');
  });

  it('cut long values short', () => {
    expect(showValue('a'.repeat(200))).toHaveLength(80);
    expect(showValue({})).toBe('a mapping');
  });
});
