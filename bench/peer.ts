/**
 * The benchmark peer: the real function-go-templating v0.12.2, running our hand-written template
 * (bench/peer/template.yaml). Its source snapshot lives outside the repository
 * (`${ASYA_PEERS_DIR:-../shared/peers}/function-go-templating-v0.12.2.tar.gz`: the Go module proxy
 * refuses every version of it); scripts/install-peer-go-templating.sh builds it into
 * `${XDG_CACHE_HOME:-~/.cache}/asya-state-proxy/function-go-templating-v0.12.2/bin/`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..');
export const PEER_TEMPLATE = join(ROOT, 'bench/peer/template.yaml');
export const PEER_VERSION = 'v0.12.2';
const SCRIPT = join(ROOT, 'scripts/install-peer-go-templating.sh');
/** The script's exit status when the source archive is absent. */
const ABSENT = 3;

export const peersDir = (): string => process.env['ASYA_PEERS_DIR'] ?? join(ROOT, '../shared/peers');
export const peerArchive = (): string => join(peersDir(), `function-go-templating-${PEER_VERSION}.tar.gz`);

/** Where the install script puts the binary (same defaults as the script). */
export function installedPeerPath(): string {
  const base = process.env['ASYA_PEER_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'asya-state-proxy');
  return join(base, `function-go-templating-${PEER_VERSION}`, 'bin', 'function-go-templating');
}

export const peerInstalled = (): boolean => existsSync(installedPeerPath());

export type PeerBinary = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly why: string };

/**
 * Builds the peer if needed (a Go build: about 25 s with warm Go caches, minutes cold) and returns
 * its path, or why it is unavailable: the archive is absent, or the build failed.
 */
export function ensurePeerBinary(log: (line: string) => void = () => undefined): PeerBinary {
  if (peerInstalled()) return { ok: true, path: installedPeerPath() };
  log(`building the benchmark peer (${SCRIPT})`);
  const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 });
  const lastLine = (s: string) => s.trim().split('\n').at(-1) ?? '';
  if (r.status === ABSENT) return { ok: false, why: lastLine(r.stderr).replace(/^install-peer-go-templating: /, '') };
  if (r.status !== 0) return { ok: false, why: `scripts/install-peer-go-templating.sh failed (exit ${r.status}): ${lastLine(r.stderr)}` };
  return { ok: true, path: lastLine(r.stdout) };
}

/** The Go toolchain version string (for the report). */
export const goVersion = (): string => {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim().replace(/^go version /, '');
  } catch {
    return 'n/a';
  }
};

/** The GoTemplate step input the peer runs. */
export const peerInput = (): Record<string, unknown> => parse(readFileSync(PEER_TEMPLATE, 'utf8')) as Record<string, unknown>;
