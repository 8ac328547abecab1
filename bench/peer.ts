/**
 * The benchmark peer: a stand-in for function-go-templating (bench/peer/main.go) running the
 * template in bench/peer/template.yaml. function-go-templating itself cannot be built here: the Go
 * module proxy refuses every version of github.com/crossplane-contrib/function-go-templating.
 *
 * The binary is built with `go build` from the committed module (go.mod + go.sum) into a cache
 * directory keyed by a hash of the sources, so it is rebuilt only when they change.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..');
export const PEER_DIR = join(ROOT, 'bench/peer');
export const PEER_TEMPLATE = join(PEER_DIR, 'template.yaml');
const SOURCES = ['main.go', 'go.mod', 'go.sum'];

export function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function peerCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  return join(base, 'asya-state-proxy', 'bench-peer');
}

/** Builds the peer if needed and returns the binary's path. Throws when `go` fails. */
export function ensurePeerBinary(log: (line: string) => void = () => undefined): string {
  const hash = createHash('sha256');
  for (const f of SOURCES) hash.update(f).update('\0').update(readFileSync(join(PEER_DIR, f))).update('\0');
  const dir = join(peerCacheDir(), hash.digest('hex').slice(0, 16));
  const bin = join(dir, 'bench-peer');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  log(`building the benchmark peer into ${dir} (go build)`);
  execFileSync('go', ['build', '-trimpath', '-o', bin, '.'], {
    cwd: PEER_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    timeout: 600_000,
  });
  return bin;
}

/** The GoTemplate step input the peer runs. */
export const peerInput = (): Record<string, unknown> => parse(readFileSync(PEER_TEMPLATE, 'utf8')) as Record<string, unknown>;
