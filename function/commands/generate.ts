/**
 * `asya-state-proxy generate [--check] [--out-dir crds] [--input-dir package/input]`: writes the
 * XRD, the plain CRD and the JSON Schema (crds/) and the step input CRD (package/input/) from the
 * zod schemas. `--check` writes nothing and exits 1 listing the files that differ.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_INPUT_DIR, DEFAULT_OUT_DIR, generateFiles, staleFiles } from '../crd/generate.js';

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface GenerateIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly read: (path: string) => string | undefined;
  readonly write: (path: string, content: string) => void;
}

const processIo: GenerateIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  read: readOrUndefined,
  write: (path, content) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  },
};

export interface GenerateCommandOptions {
  readonly check?: boolean;
  readonly outDir?: string;
  readonly inputDir?: string;
}

/** The whole command; returns the exit code (1: --check found differences). */
export function runGenerate(opts: GenerateCommandOptions, io: GenerateIo = processIo): 0 | 1 {
  const files = generateFiles({ outDir: opts.outDir ?? DEFAULT_OUT_DIR, inputDir: opts.inputDir ?? DEFAULT_INPUT_DIR });
  const stale = staleFiles(files, io.read);
  if (stale.length === 0) {
    io.out(`generated files are up to date (${files.length} files)\n`);
    return 0;
  }
  if (opts.check === true) {
    for (const path of stale) io.err(`${path}: differs from the schema (run: asya-state-proxy generate)\n`);
    return 1;
  }
  for (const file of files) {
    if (!stale.includes(file.path)) continue;
    io.write(file.path, file.content);
    io.out(`wrote ${file.path}\n`);
  }
  return 0;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate the XRD, CRD and JSON Schema (crds/) and the step input CRD from the zod schema')
    .option('--check', 'write nothing; exit 1 and list the files that are missing or differ')
    .option('--out-dir <dir>', 'directory of the XRD, CRD and JSON Schema', DEFAULT_OUT_DIR)
    .option('--input-dir <dir>', 'directory of the step input CRD', DEFAULT_INPUT_DIR)
    .action((opts: GenerateCommandOptions) => {
      process.exitCode = runGenerate(opts);
    });
}
