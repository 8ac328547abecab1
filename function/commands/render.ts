import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { runFunction } from '../handler.js';
import { buildRequest, OfflineInputError, responseDocuments } from '../offline.js';
import { INPUT_API_VERSION, parseStepInput, type StepInput } from '../input/schema.js';
import { checkRender } from '../render/index.js';
import { KIND } from '../schema/async-actor.js';
import { type FieldIssue, formatIssue } from '../schema/issues.js';
import { validateAsyncActor } from '../schema/validate.js';
import { isObject, type Json } from '../json.js';
import { formatSyntaxError, humanize, positionedFindings, select, type Selection, selectYamlFiles } from '../validate/check.js';
import { type ParsedSource, parseSource } from '../validate/documents.js';

/** An I/O or usage problem: exit 2, as opposed to an invalid actor (exit 1). */
class UsageError extends Error {}

/** Every non-empty document of a file; a syntax error is a usage error naming its position. */
function readYamlDocs(file: string): unknown[] {
  return readPositionedSource(file).documents.flatMap((d) => (d.value === null || d.value === undefined ? [] : [d.value]));
}

function readText(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
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

/**
 * Each actor on its own: one that fails is reported (file:line:column, document index and name,
 * field path) and the others are still rendered, so a multi-actor file shows every problem in
 * one run and a bad actor never hides what the good ones compose. Exit 1 if any failed.
 */
function render(xrFile: string, opts: RenderOptions, stderr: string[]): { code: 0 | 1; stdout: string } {
  const rawInput = loadInput(opts.input);
  const input = parseStepInput(rawInput);
  // Invalid input fails every actor the same way: one usage error instead of N copies.
  if (!input.ok) throw new UsageError(`${opts.input ?? '(default input)'}: invalid function input: ${input.issues.map(formatIssue).join('; ')}`);
  const observed = objectsIn(opts.observed);
  const desired = objectsIn(opts.desired);
  const parsed = readPositionedSource(xrFile);
  // Messages name stdin as validate does.
  const shown = xrFile === '-' ? '<stdin>' : xrFile;
  const out: Json[] = [];
  let failed = 0;
  let actors = 0;
  for (const source of parsed.documents) {
    const selection = select(source.value);
    if (selection.check === false) {
      if (selection.why !== undefined) stderr.push(`${shown}: document ${source.index}: skipped, ${selection.why}\n`);
      continue;
    }
    actors += 1;
    const label = `document ${source.index} (${documentName(source.value)})`;
    const issues = actorIssues(selection, input.value);
    if (issues.length > 0) {
      failed += 1;
      for (const f of positionedFindings(shown, source, parsed.lineCounter, issues)) {
        stderr.push(`${f.file}:${f.line}:${f.col}: ${label}: error: ${f.path}: ${f.message}\n`);
      }
      continue;
    }
    const rsp = runFunction(buildRequest({ xr: source.value as Json, input: rawInput, observed, desired }));
    const result = responseDocuments(source.value as Json, rsp);
    for (const w of result.warnings) stderr.push(`${shown}: document ${source.index}: warning: ${w}\n`);
    if (result.errors.length > 0) {
      // What only the whole request can refuse (a conflict with --desired): at the document.
      failed += 1;
      const { line, col } = source.position;
      for (const e of result.errors) stderr.push(`${shown}:${line}:${col}: ${label}: error: ${e}\n`);
      continue;
    }
    out.push(...result.documents);
  }
  if (actors === 0) throw new UsageError(`${shown}: no ${KIND} document found`);
  if (failed > 0 && actors > 1) stderr.push(`${shown}: ${actors - failed} of ${actors} actors rendered, ${failed} failed\n`);
  const stdout =
    out.length === 0
      ? ''
      : opts.output === 'json'
        ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: out }, null, 2)}\n`
        : // No anchors and aliases: the Deployment and its pod template share one labels object,
          // which yaml would otherwise print once and refer to (`&a1` / `*a1`).
          out.map((d) => `---\n${stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('');
  return { code: failed > 0 ? 1 : 0, stdout };
}

/**
 * What the function would refuse in this actor, with field paths: its own validation (schema and
 * rules, as validate reports them), then the checks that depend on the step input.
 */
function actorIssues(selection: Exclude<Selection, { check: false }>, input: StepInput): FieldIssue[] {
  if (selection.check === 'unknown-kind') return [selection.issue];
  const validated = validateAsyncActor(selection.document);
  if (!validated.ok) return validated.issues.map(humanize);
  return checkRender(validated.value, input);
}

function documentName(value: unknown): string {
  const meta = isObject(value) && isObject(value['metadata']) ? value['metadata'] : {};
  const kind = isObject(value) && typeof value['kind'] === 'string' ? value['kind'] : 'document';
  return typeof meta['name'] === 'string' ? `${kind} ${meta['name']}` : `${kind} without metadata.name`;
}

/** The XR file with source positions; a syntax error is a usage error naming its position. */
function readPositionedSource(file: string): ParsedSource {
  const parsed = parseSource(readText(file));
  const first = parsed.errors[0];
  if (first !== undefined) throw new UsageError(formatSyntaxError(file === '-' ? '<stdin>' : file, { document: first.index, position: first.position, message: first.message }));
  return parsed;
}
