import { describe, expect, it } from 'vitest';
import { annotationsBytes, dnsSubdomainProblem, labelValueProblem, MAX_ANNOTATIONS_BYTES, qualifiedNameProblem } from './k8s-names.js';

describe('dnsSubdomainProblem', () => {
  it.each(['a', 'model-inference', 'asya.actors', 'a1.b2-c3', 'x'.repeat(253)])('accepts %s', (n) => expect(dnsSubdomainProblem(n)).toBeUndefined());
  it.each(['', 'Model', '-a', 'a-', 'a..b', 'a_b', '.a', 'a.', 'x'.repeat(254), 'a/b'])('refuses %j', (n) => expect(dnsSubdomainProblem(n)).toBeDefined());
});

describe('qualifiedNameProblem', () => {
  it.each(['eks.amazonaws.com/role-arn', 'iam.gke.io/gcp-service-account', 'azure.workload.identity/client-id', 'team', 'A_b.c-D'])('accepts %s', (k) =>
    expect(qualifiedNameProblem(k)).toBeUndefined(),
  );
  it.each([
    ['two slashes', 'a/b/c'],
    ['empty name', 'example.com/'],
    ['empty prefix', '/name'],
    ['upper-case prefix', 'Example.com/name'],
    ['name too long', `x/${'n'.repeat(64)}`],
    ['name ends with -', 'team-'],
    ['space', 'my team'],
  ])('refuses %s', (_w, k) => expect(qualifiedNameProblem(k)).toBeDefined());
});

describe('labelValueProblem', () => {
  it.each(['', 'true', 'prod.model-inference_1'])('accepts %j', (v) => expect(labelValueProblem(v)).toBeUndefined());
  it.each(['-x', 'x-', 'a b', 'a/b', 'v'.repeat(64)])('refuses %j', (v) => expect(labelValueProblem(v)).toBeDefined());
});

describe('annotationsBytes', () => {
  it('counts keys and values in UTF-8 bytes, as the API server does', () => {
    expect(annotationsBytes({ ab: 'cd', é: 'ü' })).toBe(4 + 4);
    expect(MAX_ANNOTATIONS_BYTES).toBe(262144);
  });
});
