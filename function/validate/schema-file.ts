/**
 * Finding and loading crds/asyncactor.schema.json: next to the sources (repository), next to the
 * build output (dist/ one level further up), or, if neither ships it, generated in-process from
 * the same zod schema (`generate --check` keeps the file equal to that).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocumentJsonSchema } from '../crd/definitions.js';
import { DEFAULT_OUT_DIR, JSON_SCHEMA_FILE } from '../crd/generate.js';
import { compileDocumentSchema, type DocumentValidator } from './json-schema.js';

export function findSchemaFile(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, DEFAULT_OUT_DIR, JSON_SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadDocumentSchema(path: string | undefined = findSchemaFile()): object {
  if (path === undefined) return buildDocumentJsonSchema('generated in-process');
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

let cached: DocumentValidator | undefined;

/** The compiled validator of the shipped schema, compiled once per process. */
export function defaultValidator(): DocumentValidator {
  cached ??= compileDocumentSchema(loadDocumentSchema());
  return cached;
}
