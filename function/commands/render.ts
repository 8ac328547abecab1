import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { runFunction } from '../handler.js';
import { INPUT_API_VERSION } from '../input/schema.js';
import { buildRequest, OfflineInputError, responseDocuments } from '../offline.js';
import { KIND } from '../schema/async-actor.js';
import { LEGACY_COMPOSITE_KIND } from '../schema/legacy.js';
import { isObject, type Json } from '../json.js';
import { formatSyntaxError, selectYamlFiles } from '../validate/check.js';
import { parseSource } from '../validate/documents.js';

/** An I/O or usage problem: exit 2, as opposed to an invalid actor (exit 1). */
class UsageError extends Error {}

/** Every non-empty document of a file; a syntax error is a usage error naming its position. */
function readYamlDocs(file: string): unknown[] {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = parseSource(text);
  const first = parsed.errors[0];
  if (first !== undefined) throw new UsageError(formatSyntaxError(file, { document: first.index, position: first.position, message: first.message }));
  return parsed.documents.flatMap((d) => (d.value === null || d.value === undefined ? [] : [d.value]));
}

/** A file, or the YAML files directly in a directory (as `crossplane render -o` reads them). */
function yamlFilesIn(path: string): string[] {
  try {
    return statSync(path).isDirectory() ? selectYamlFiles(readdirSync(path).map((f) => join(path, f))) : [path];
  } catch (err) {
    throw new UsageError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const objectsIn = (path: string | undefined): Json[] =>
  path === undefined ? [] : yamlFilesIn(path).flatMap((f) => readYamlDocs(f).filter(isObject));

/** A step input file, or a Composition whose pipeline has a step with our input. */
function loadInput(file: string | undefined): Json | undefined {
  if (file === undefined) return undefined;
  const docs = readYamlDocs(file).filter(isObject);
  for (const doc of docs) {
    if (doc['kind'] === 'Composition') {
      const pipeline = isObject(doc['spec']) && Array.isArray(doc['spec']['pipeline']) ? doc['spec']['pipeline'] : [];
      const step = pipeline.find((s: unknown) => isObject(s) && isObject(s['input']) && s['input']['apiVersion'] === INPUT_API_VERSION);
      if (isObject(step) && isObject(step['input'])) return step['input'];
    } else {
      return doc;
    }
  }
  throw new UsageError(`${file}: no step input (apiVersion ${INPUT_API_VERSION}) found`);
}

export function register(program: Command): void {
  program
    .command('render')
    .description('run the function offline on AsyncActor manifests and print the resources it composes')
    .argument('<xr>', 'AsyncActor manifest (YAML, may hold several documents; - for stdin)')
    .option('--input <file>', 'step input, or a Composition whose pipeline carries it')
    .option('--observed <path>', 'observed composed resources (file or directory), keyed by the crossplane.io/composition-resource-name annotation')
    .option('--desired <path>', 'desired composed resources from earlier pipeline steps, keyed the same way')
    .addOption(new Option('-o, --output <format>', 'output format (json: a v1 List)').choices(['yaml', 'json']).default('yaml'))
    .action((xrFile: string, opts: RenderOptions) => {
      const out = renderCommand(xrFile, opts);
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.code;
    });
}

export interface RenderOptions {
  readonly input?: string;
  readonly observed?: string;
  readonly desired?: string;
  readonly output: 'yaml' | 'json';
}

export interface CommandOutput {
  readonly code: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** The whole command minus process I/O, so tests can pin its exact output. */
export function renderCommand(xrFile: string, opts: RenderOptions): CommandOutput {
  const stderr: string[] = [];
  try {
    const { code, stdout } = render(xrFile, opts, stderr);
    return { code, stdout, stderr: stderr.join('') };
  } catch (err) {
    if (err instanceof UsageError || err instanceof OfflineInputError) {
      stderr.push(`asya-state-proxy render: ${err.message}\n`);
      return { code: 2, stdout: '', stderr: stderr.join('') };
    }
    throw err;
  }
}

function render(xrFile: string, opts: RenderOptions, stderr: string[]): { code: 0 | 1; stdout: string } {
  const input = loadInput(opts.input);
  const observed = objectsIn(opts.observed);
  const desired = objectsIn(opts.desired);
  const out: Json[] = [];
  let failed = false;
  let actors = 0;
  readYamlDocs(xrFile).forEach((doc, index) => {
    if (!isObject(doc) || (doc['kind'] !== KIND && doc['kind'] !== LEGACY_COMPOSITE_KIND)) {
      stderr.push(`${xrFile}: document ${index}: skipped (kind ${isObject(doc) ? String(doc['kind']) : typeof doc}, not ${KIND})\n`);
      return;
    }
    actors += 1;
    const rsp = runFunction(buildRequest({ xr: doc, input, observed, desired }));
    const result = responseDocuments(doc, rsp);
    for (const w of result.warnings) stderr.push(`${xrFile}: document ${index}: warning: ${w}\n`);
    for (const e of result.errors) stderr.push(`${xrFile}: document ${index}: error: ${e}\n`);
    if (result.errors.length > 0) failed = true;
    out.push(...result.documents);
  });
  if (actors === 0) throw new UsageError(`${xrFile}: no ${KIND} document found`);
  if (failed) return { code: 1, stdout: '' };
  const stdout =
    opts.output === 'json'
      ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: out }, null, 2)}\n`
      : out.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
  return { code: 0, stdout };
}
