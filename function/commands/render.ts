import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import { runFunction } from '../handler.js';
import { INPUT_API_VERSION } from '../input/schema.js';
import { buildRequest, OfflineInputError, responseDocuments } from '../offline.js';
import { KIND } from '../schema/async-actor.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An I/O or usage problem: exit 2, as opposed to an invalid actor (exit 1). */
class UsageError extends Error {}

function readYamlDocs(file: string): unknown[] {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseAllDocuments(text).flatMap((doc, index) => {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const pos = e?.linePos?.[0];
      throw new UsageError(`${file}:${pos?.line ?? 0}:${pos?.col ?? 0}: document ${index}: YAML syntax error: ${e?.message.split('\n')[0] ?? ''}`);
    }
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

function yamlFilesIn(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new UsageError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isDir) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(path, f));
}

const objectsIn = (path: string | undefined): Obj[] =>
  path === undefined ? [] : yamlFilesIn(path).flatMap((f) => readYamlDocs(f).filter(isObj));

/** A step input file, or a Composition whose pipeline has a step with our input. */
function loadInput(file: string | undefined): Obj | undefined {
  if (file === undefined) return undefined;
  const docs = readYamlDocs(file).filter(isObj);
  for (const doc of docs) {
    if (doc['kind'] === 'Composition') {
      const pipeline = isObj(doc['spec']) && Array.isArray(doc['spec']['pipeline']) ? doc['spec']['pipeline'] : [];
      const step = pipeline.find((s: unknown) => isObj(s) && isObj(s['input']) && s['input']['apiVersion'] === INPUT_API_VERSION);
      if (isObj(step) && isObj(step['input'])) return step['input'];
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
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((xrFile: string, opts: { input?: string; observed?: string; desired?: string; output: 'yaml' | 'json' }) => {
      try {
        process.exitCode = render(xrFile, opts);
      } catch (err) {
        if (err instanceof UsageError || err instanceof OfflineInputError) {
          process.stderr.write(`asya-state-proxy render: ${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}

function render(xrFile: string, opts: { input?: string; observed?: string; desired?: string; output: 'yaml' | 'json' }): number {
  const input = loadInput(opts.input);
  const observed = objectsIn(opts.observed);
  const desired = objectsIn(opts.desired);
  const out: Obj[] = [];
  let failed = false;
  let actors = 0;
  readYamlDocs(xrFile).forEach((doc, index) => {
    if (!isObj(doc) || doc['kind'] !== KIND) {
      process.stderr.write(`${xrFile}: document ${index}: skipped (kind ${isObj(doc) ? String(doc['kind']) : typeof doc}, not ${KIND})\n`);
      return;
    }
    actors += 1;
    const rsp = runFunction(buildRequest({ xr: doc, input, observed, desired }));
    const result = responseDocuments(doc, rsp);
    for (const w of result.warnings) process.stderr.write(`${xrFile}: document ${index}: warning: ${w}\n`);
    for (const e of result.errors) process.stderr.write(`${xrFile}: document ${index}: error: ${e}\n`);
    if (result.errors.length > 0) failed = true;
    out.push(...result.documents);
  });
  if (actors === 0) throw new UsageError(`${xrFile}: no ${KIND} document found`);
  if (failed) return 1;
  process.stdout.write(
    opts.output === 'json'
      ? `${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`
      : out.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join(''),
  );
  return 0;
}
