/**
 * Table-driven corpus test: each invalid manifest fails with exactly the rule and field its header
 * names (and nothing else); each valid manifest and each example passes, through the same path as
 * `asya-state-proxy validate` (YAML + JSON Schema + semantic rules).
 */
import { describe, expect, it } from 'vitest';
import { checkSource } from '../function/validate/check.js';
import { defaultValidator } from '../function/validate/schema-file.js';
import { exampleFiles, invalidFiles, validFiles } from './corpus/corpus.js';

const validator = defaultValidator();

describe('valid corpus and examples', () => {
  it.each([...validFiles(), ...exampleFiles()].map((f) => [f.name, f] as const))('%s validates', (_name, file) => {
    const report = checkSource(file.text, file.name, validator);
    expect(report.syntaxErrors).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.checked).toBeGreaterThan(0);
  });
});

describe('invalid corpus', () => {
  const files = invalidFiles();

  it('every invalid file states its expectation and admission layer', () => {
    for (const f of files) {
      expect(f.expect.length, f.name).toBeGreaterThan(0);
      expect(f.admission, f.name).toBeDefined();
    }
  });

  it.each(files.map((f) => [f.name, f] as const))('%s fails only the expected rule', (_name, file) => {
    const report = checkSource(file.text, file.name, validator);
    expect(report.syntaxErrors).toEqual([]);
    expect(report.checked).toBe(1);
    const got = report.findings.map((f) => ({ rule: f.rule, path: f.path }));
    expect(got.length).toBeGreaterThan(0);
    // Nothing but the expected rule at the expected fields, and every expectation met.
    expect(new Set(got.map((g) => `${g.rule} ${g.path}`))).toEqual(new Set(file.expect.map((e) => `${e.rule} ${e.path}`)));
    for (const f of report.findings) {
      expect(f.line).toBeGreaterThan(0);
      expect(f.message.length).toBeGreaterThan(0);
    }
  });
});

describe('examples', () => {
  it('each example starts with the yaml-language-server modeline', () => {
    const examples = exampleFiles();
    expect(examples.map((e) => e.name).sort()).toEqual(
      [
        'conversation-history-cas.yaml',
        'gcs-secret-valuefrom.yaml',
        'model-weights-s3.yaml',
        'multi-mount-s3-redis.yaml',
        'passthrough-large-files.yaml',
        'redis-cache.yaml',
        'workload-identity-aws.yaml',
        'workload-identity-azure.yaml',
        'workload-identity-gcp.yaml',
      ].sort(),
    );
    for (const e of examples) {
      expect(e.text.split('\n')[0], e.name).toBe('# yaml-language-server: $schema=../crds/asyncactor.schema.json');
    }
  });
});
