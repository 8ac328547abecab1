/**
 * The validation corpus: test/corpus/valid/*.yaml must validate, test/corpus/invalid/*.yaml must
 * each fail exactly one rule. An invalid file states what it expects in its leading comments:
 *   # expect: <rule> <field path>        (one or more)
 *   # admission: cel | openapi | none (<why>)   (which admission layer rejects it, see admission-parity;
 *                                              none: only validate and the function, for the reason given)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export interface Expectation {
  readonly rule: string;
  readonly path: string;
}

export interface CorpusFile {
  readonly name: string;
  readonly path: string;
  readonly text: string;
  readonly valid: boolean;
  readonly expect: readonly Expectation[];
  /** 'cel', 'openapi' or 'none' (only validate and the function refuse it); undefined for valid files. */
  readonly admission?: 'cel' | 'openapi' | 'none';
  readonly admissionReason?: string;
}

function parseHeader(text: string): Pick<CorpusFile, 'expect' | 'admission' | 'admissionReason'> {
  const expect: Expectation[] = [];
  let admission: 'cel' | 'openapi' | 'none' | undefined;
  let admissionReason: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const e = /^# expect: (\S+) (\S+)$/.exec(line);
    if (e !== null) expect.push({ rule: e[1]!, path: e[2]! });
    const a = /^# admission: (cel|openapi|none)(?: \((.*)\))?$/.exec(line);
    if (a !== null) {
      admission = a[1] as 'cel' | 'openapi' | 'none';
      admissionReason = a[2];
    }
  }
  return { expect, ...(admission === undefined ? {} : { admission }), ...(admissionReason === undefined ? {} : { admissionReason }) };
}

function load(dir: string, valid: boolean): CorpusFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      const text = readFileSync(path, 'utf8');
      return { name, path, text, valid, ...parseHeader(text) };
    });
}

export const validFiles = (): CorpusFile[] => load(join(CORPUS_DIR, 'valid'), true);
export const invalidFiles = (): CorpusFile[] => load(join(CORPUS_DIR, 'invalid'), false);
/** The AsyncActor examples (examples/*.yaml other than functions.yaml), all valid. */
export const exampleFiles = (): CorpusFile[] => load(EXAMPLES_DIR, true).filter((f) => f.text.includes('kind: AsyncActor'));
