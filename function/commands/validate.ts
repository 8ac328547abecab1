/**
 * `asya-state-proxy validate <file|dir|->...`: checks every AsyncActor document against the JSON
 * Schema and the semantic rules. One line per problem on stdout:
 *   <file>:<line>:<col>: document <index>: <field path>: <message>
 * Exit 0 when all are valid, 1 when any is invalid, 2 on usage or I/O errors (missing file, YAML
 * syntax error). What render warns about in a valid document goes to stderr, in the same form
 * with `warning:` before the field, unless --quiet; it never changes the exit code. This module
 * only does the I/O; the logic is in function/validate/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  checkSource,
  exitCode,
  formatFinding,
  formatSyntaxError,
  formatWarning,
  selectYamlFiles,
  type SourceReport,
  toJsonReport,
} from '../validate/check.js';
import { compileDocumentSchema } from '../validate/json-schema.js';
import { defaultValidator, loadDocumentSchema } from '../validate/schema-file.js';

const STDIN = '-';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The files to read for one argument, or an I/O error message. */
function expand(arg: string): { files: string[] } | { error: string } {
  if (arg === STDIN) return { files: [STDIN] };
  try {
    if (statSync(arg).isDirectory()) return { files: selectYamlFiles(walk(arg)) };
    return { files: [arg] };
  } catch (err) {
    return { error: `${arg}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}` };
  }
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}

export interface ValidateOptions {
  readonly format?: string;
  readonly schema?: string;
  readonly quiet?: boolean;
  readonly allowEmpty?: boolean;
}

export interface ValidateIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readStdin: () => string;
}

const processIo: ValidateIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readStdin,
};

/** The whole command; returns the exit code. */
export function runValidate(paths: readonly string[], opts: ValidateOptions, io: ValidateIo = processIo): 0 | 1 | 2 {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.err(`error: --format must be text or json, got ${format}\n`);
    return 2;
  }
  let validator;
  try {
    validator = opts.schema === undefined ? defaultValidator() : compileDocumentSchema(loadDocumentSchema(opts.schema));
  } catch (err) {
    io.err(`error: cannot load the JSON Schema: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const ioErrors: string[] = [];
  const reports: SourceReport[] = [];
  for (const arg of paths) {
    const expanded = expand(arg);
    if ('error' in expanded) {
      ioErrors.push(expanded.error);
      continue;
    }
    if (expanded.files.length === 0 && opts.quiet !== true) io.err(`notice: ${arg}: no *.yaml or *.yml files\n`);
    for (const file of expanded.files) {
      let text: string;
      try {
        text = file === STDIN ? io.readStdin() : readFileSync(file, 'utf8');
      } catch (err) {
        ioErrors.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      reports.push(checkSource(text, file === STDIN ? '<stdin>' : file, validator));
    }
  }
  // Nothing checked is almost always a wrong path or glob in CI, so it fails unless asked for.
  // Input holding only other kinds counts as empty too: the command's promise is "N AsyncActor
  // documents checked", and zero checked says nothing about the actors the user meant.
  const checkedTotal = reports.reduce((n, r) => n + r.checked, 0);
  // A syntax error already says why nothing was checked.
  const syntaxErrors = reports.some((r) => r.syntaxErrors.length > 0);
  if (checkedTotal === 0 && ioErrors.length === 0 && !syntaxErrors && opts.allowEmpty !== true) {
    const skipped = reports.reduce((n, r) => n + r.skipped, 0);
    const what = skipped === 0 ? 'no documents at all' : `only other kinds (${skipped} document(s) skipped)`;
    ioErrors.push(`no AsyncActor or XAsyncActor document found in ${paths.join(' ')}: the input has ${what}; check the path, or pass --allow-empty`);
  }
  if (format === 'json') {
    io.out(`${JSON.stringify(toJsonReport(reports, ioErrors), null, 2)}\n`);
  } else {
    for (const error of ioErrors) io.err(`error: ${error}\n`);
    for (const report of reports) {
      for (const e of report.syntaxErrors) io.err(`${formatSyntaxError(report.file, e)}\n`);
      for (const f of report.findings) io.out(`${formatFinding(f)}\n`);
      // On stderr with the notices: stdout stays the list of errors, the exit code does not change.
      if (opts.quiet !== true) for (const w of report.warnings ?? []) io.err(`${formatWarning(w)}\n`);
      if (opts.quiet !== true) for (const n of report.notices) io.err(`notice: ${n}\n`);
    }
    if (opts.quiet !== true) {
      const checked = reports.reduce((n, r) => n + r.checked, 0);
      const invalid = reports.reduce((n, r) => n + r.invalid, 0);
      io.err(`${checked} AsyncActor document(s) checked, ${invalid} invalid\n`);
    }
  }
  return exitCode(reports, ioErrors);
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('validate AsyncActor manifests (files, directories of *.yaml/*.yml, or - for stdin)')
    .argument('<paths...>', 'files, directories or - (stdin)')
    .option('--format <format>', 'text or json', 'text')
    .option('--schema <file>', 'JSON Schema to check against (default: crds/asyncactor.schema.json)')
    .option('-q, --quiet', 'no warnings, notices or summary on stderr')
    .option('--allow-empty', 'exit 0 when the input holds no AsyncActor document (default: exit 2)')
    .action((paths: string[], opts: ValidateOptions) => {
      process.exitCode = runValidate(paths, opts);
    });
}
