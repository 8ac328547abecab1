/**
 * Finding and running the real Crossplane CLI (`crank`) for the render and admission suites.
 *
 * The version is pinned in scripts/install-crossplane-cli.sh only. Locally a missing CLI skips
 * these suites with a message naming that script; under CI=true a missing CLI is a failure.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const INSTALL_SCRIPT = 'scripts/install-crossplane-cli.sh';

function pinnedVersion(): string {
  const script = readFileSync(join(ROOT, INSTALL_SCRIPT), 'utf8');
  const m = /CROSSPLANE_VERSION="\$\{CROSSPLANE_VERSION:-(v[0-9.]+)\}"/.exec(script);
  if (!m?.[1]) throw new Error(`cannot find the pinned version in ${INSTALL_SCRIPT}`);
  return m[1];
}

export const CROSSPLANE_VERSION = pinnedVersion();

/** $CRANK, else the install script's default cache location. */
export function crankPath(): string | undefined {
  const fromEnv = process.env['CRANK'];
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  const cacheRoot =
    process.env['CROSSPLANE_CLI_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'asya-state-proxy');
  const path = join(cacheRoot, `crossplane-${CROSSPLANE_VERSION}`, 'bin', 'crank');
  return existsSync(path) ? path : undefined;
}

/** `describe` that needs the CLI: skipped locally without it, failing under CI. */
export function describeWithCrank(name: string, body: (crank: string) => void): void {
  const crank = crankPath();
  if (crank !== undefined) {
    describe(name, () => body(crank));
    return;
  }
  const why = `the Crossplane CLI ${CROSSPLANE_VERSION} is not installed: run ${INSTALL_SCRIPT} (or set CRANK)`;
  if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has the Crossplane CLI', () => {
        throw new Error(why);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": ${why}`);
    describe.skip(name, () => {
      it('needs the Crossplane CLI', () => undefined);
    });
  }
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous on purpose: the function under test serves gRPC from this same process. */
export function run(cmd: string, args: readonly string[], stdin?: string): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** The version the binary itself reports (`Client Version: v2.2.1`), whatever its path. */
export function crankVersion(crank: string): string {
  const out = execFileSync(crank, ['version', '--client'], { encoding: 'utf8' });
  const m = /Client Version:\s*(v\S+)/.exec(out);
  if (!m?.[1]) throw new Error(`${crank} version --client printed no version: ${out.trim()}`);
  return m[1];
}

const flagsByCrank = new Map<string, string[]>();

/**
 * Flags that keep `beta validate` offline (see the install script): an empty folder named after
 * the Crossplane image stops it downloading Crossplane's CRDs. Derived from the binary, not from
 * the install script's layout, so any `CRANK` works; the folder lives in
 * `CRANK_VALIDATE_CACHE` or a temporary directory (an absolute path, as the CLI requires).
 */
export function validateFlags(crank: string): string[] {
  const known = flagsByCrank.get(crank);
  if (known !== undefined) return known;
  const version = crankVersion(crank);
  const cacheDir = resolve(process.env['CRANK_VALIDATE_CACHE'] ?? mkdtempSync(join(tmpdir(), 'crank-validate-cache-')));
  mkdirSync(join(cacheDir, 'xpkg.crossplane.io', 'crossplane', `crossplane@${version}`), { recursive: true });
  const flags = ['--cache-dir', cacheDir, '--crossplane-image', `xpkg.crossplane.io/crossplane/crossplane:${version}`];
  flagsByCrank.set(crank, flags);
  return flags;
}

/** UPDATE_GOLDEN=1 rewrites golden files instead of comparing (review the diff before committing). */
export const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';

/** A clean `crossplane render` (exit 0, nothing on stderr) whose stdout is exactly `golden`. */
export function expectGoldenRender(out: Run, golden: string): void {
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  if (UPDATE_GOLDEN) writeFileSync(golden, out.stdout);
  expect(out.stdout).toBe(readFileSync(golden, 'utf8'));
}
