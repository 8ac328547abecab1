/**
 * The real container entry point (`node --import tsx function/server/main.ts`) as a child process, for
 * tests and the soak benchmark: waits for the "listening" log line and reads the bound ports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SpawnedFunction {
  readonly child: ChildProcess;
  readonly port: number;
  readonly healthPort: number | undefined;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function spawnEntryPoint(args: readonly string[]): ReturnType<typeof spawnNode> {
  return spawnNode(['--import', 'tsx', 'function/server/main.ts', ...args]);
}

/** The built entry point (`npm run build` first), as the package image runs it (with its node flags, `nodeFlags`). */
export function spawnBuiltEntryPoint(args: readonly string[], nodeFlags: readonly string[] = []): ReturnType<typeof spawnNode> {
  return spawnNode([...nodeFlags, 'dist/function/server/main.js', ...args]);
}

function spawnNode(argv: readonly string[]): { child: ChildProcess; exited: SpawnedFunction['exited']; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** Starts the function on a free loopback port (`--insecure` unless TLS args are given). */
export async function startEntryPoint(args: readonly string[] = ['--insecure'], timeoutMs = 15_000): Promise<SpawnedFunction> {
  const p = spawnEntryPoint(['--address', '127.0.0.1:0', ...args]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = p.stdout().split('\n').find((l) => l.includes('"listening"') || l.includes('listening"'));
    if (line !== undefined) {
      const log = JSON.parse(line) as { port: number; healthPort?: number };
      return { ...p, port: log.port, healthPort: log.healthPort };
    }
    if (p.child.exitCode !== null) throw new Error(`the function exited (${p.child.exitCode}): ${p.stderr()}`);
    if (Date.now() > deadline) {
      p.child.kill('SIGKILL');
      throw new Error(`the function did not start: ${p.stdout()} ${p.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** VmRSS of a process in KiB (Linux). */
export async function rssKiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}
