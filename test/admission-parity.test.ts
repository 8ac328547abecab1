/**
 * Admission parity: what the generated XRD makes the API server reject must be exactly what
 * `asya-state-proxy validate` rejects, over the whole corpus and the examples.
 *
 * The CEL rules of the XRD run in @marcbachmann/cel-js (test/admission/harness.ts). Documents whose
 * only problem is an OpenAPI constraint (pattern, maxLength, enum, required, unknown field,
 * list-map key uniqueness) say so in their header (`# admission: openapi (...)`); for those the
 * plain CRD's openAPIV3Schema is run instead (ajv with structural semantics) and must reject them
 * while CEL admits them (or is not run: like the API server, the harness skips CEL after a
 * blocking OpenAPI error such as a missing required field).
 */
import { describe, expect, it } from 'vitest';
import { buildCrd, buildXrd } from '../function/crd/definitions.js';
import { collectValidations, type SchemaNode } from '../function/crd/openapi.js';
import { checkSource, select } from '../function/validate/check.js';
import { parseSource } from '../function/validate/documents.js';
import { defaultValidator } from '../function/validate/schema-file.js';
import { CelAdmission, compileOpenApi, crossplaneRootSchema, openApiCheck } from './admission/harness.js';
import { type CorpusFile, exampleFiles, invalidFiles, validFiles } from './corpus/corpus.js';

type Version = { schema: { openAPIV3Schema: SchemaNode } };
const versionSchema = (def: SchemaNode): SchemaNode =>
  ((def['spec'] as { versions: Version[] }).versions[0] as Version).schema.openAPIV3Schema;

const xrdSchema = versionSchema(buildXrd());
const crdSchema = versionSchema(buildCrd());
const cel = new CelAdmission(crossplaneRootSchema(xrdSchema));
const openApi = compileOpenApi(crdSchema);
const validator = defaultValidator();

interface Verdict {
  readonly file: CorpusFile;
  readonly validate: boolean;
  readonly cel: ReturnType<CelAdmission['evaluate']>;
  readonly openApi: string[];
}

function verdicts(files: readonly CorpusFile[]): Verdict[] {
  return files.flatMap((file) => {
    const docs = parseSource(file.text).documents.filter((d) => select(d.value).check);
    const rejectedByValidate = checkSource(file.text, file.name, validator).findings.length > 0;
    return docs.map((d) => {
      const structural = openApiCheck(openApi, d.value);
      // As in the API server: CEL does not run when OpenAPI validation found a blocking error.
      return { file, validate: rejectedByValidate, cel: structural.blocksCel ? [] : cel.evaluate(d.value), openApi: structural.problems };
    });
  });
}

const all = verdicts([...validFiles(), ...invalidFiles(), ...exampleFiles()]);
const names = (pred: (v: Verdict) => boolean) => new Set(all.filter(pred).map((v) => v.file.name));

describe('admission parity (CEL of the generated XRD vs validate)', () => {
  it('no CEL rule fails to evaluate on any corpus document', () => {
    const errors = all.flatMap((v) => v.cel.filter((c) => c.error !== undefined).map((c) => `${v.file.name}: ${c.rule}: ${c.error}`));
    expect(errors).toEqual([]);
  });

  // `admission: none` files are refused only by validate and the function (the reason is in each
  // header and in docs/admission.md); admission must let them through, or the header is wrong.
  const validateOnly = names((v) => v.file.admission === 'none');

  it('admission (CEL or OpenAPI) rejects exactly what validate rejects, minus the validate-only files', () => {
    const expected = new Set([...names((v) => v.validate)].filter((n) => !validateOnly.has(n)));
    expect(names((v) => v.cel.length > 0 || v.openApi.length > 0)).toEqual(expected);
  });

  it.each(all.filter((v) => v.file.admission === 'none').map((v) => [v.file.name, v] as const))(
    '%s: validate refuses it, the XRD admits it (validate-only rule)',
    (_name, v) => {
      expect(v.validate).toBe(true);
      expect(v.cel).toEqual([]);
      expect(v.openApi).toEqual([]);
    },
  );

  it('CEL rejects exactly what validate rejects, minus the documents only OpenAPI constraints catch', () => {
    const openApiOnly = names((v) => v.file.admission === 'openapi' || v.file.admission === 'none');
    const expected = new Set([...names((v) => v.validate)].filter((n) => !openApiOnly.has(n)));
    expect(names((v) => v.cel.length > 0)).toEqual(expected);
  });

  it.each(all.filter((v) => v.file.admission === 'openapi').map((v) => [v.file.name, v] as const))(
    '%s: CEL admits it, the CRD schema rejects it',
    (_name, v) => {
      expect(v.cel).toEqual([]);
      expect(v.openApi.length).toBeGreaterThan(0);
    },
  );

  it.each(all.filter((v) => v.file.admission === 'cel').map((v) => [v.file.name, v] as const))(
    '%s: a CEL rule naming the field rejects it',
    (_name, v) => {
      expect(v.cel.length).toBeGreaterThan(0);
      // Messages of the semantic rules start with the field, indices written as [].
      for (const e of v.file.expect.filter((x) => x.rule !== 'schema')) {
        const generic = e.path.replace(/\[\d+\]/g, '[]');
        expect(v.cel.map((c) => c.message).some((m) => m.includes(generic)), `${generic} in ${JSON.stringify(v.cel)}`).toBe(true);
      }
    },
  );

  it('valid documents pass both layers', () => {
    const rejected = all.filter((v) => !v.validate && (v.cel.length > 0 || v.openApi.length > 0));
    expect(rejected.map((v) => ({ file: v.file.name, cel: v.cel, openApi: v.openApi }))).toEqual([]);
  });

  it('every CEL rule of the XRD is proven by at least one invalid corpus document', () => {
    const fired = new Set(all.flatMap((v) => v.cel.map((c) => c.rule)));
    const unproven = collectValidations(xrdSchema).filter((r) => !fired.has(r.rule));
    expect(unproven).toEqual([]);
  });

  it('the plain CRD carries the same CEL rules as the XRD, on the same fields', () => {
    expect(collectValidations(crdSchema)).toEqual(collectValidations(xrdSchema));
  });
});
