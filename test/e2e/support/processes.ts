/**
 * The processes an e2e run starts, tracked so every one is stopped on teardown, on failure and on
 * Ctrl-C/SIGTERM. Only PIDs started here are ever signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<void>;
}

const running: Started[] = [];

/** Spawns `command` with its output in `<logDir>/<name>.log` (read it when a start times out). */
export function start(name: string, command: string, args: readonly string[], logDir: string, env: NodeJS.ProcessEnv = process.env): Started {
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  // Its own process group, so a stop reaches whatever it forks too (and only that).
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const started = { name, child, logFile, exited };
  running.push(started);
  return started;
}

/** Signals the process group `p` leads (its pid), never anything else. */
export function signalGroup(p: Started, signal: NodeJS.Signals): void {
  if (p.child.pid === undefined) return;
  try {
    process.kill(-p.child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL after `graceMs` (etcd and kube-apiserver need more than 2 s). */
export async function stop(p: Started, graceMs = 10_000): Promise<void> {
  const i = running.indexOf(p);
  if (i >= 0) running.splice(i, 1);
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  signalGroup(p, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(p, 'SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Stops everything still running, newest first (Crossplane before the API server before etcd). */
export async function stopAll(): Promise<void> {
  for (const p of [...running].reverse()) await stop(p);
}

let handlersInstalled = false;
/** On Ctrl-C or SIGTERM: stop every started process, then exit with the signal's code. */
export function stopAllOnSignals(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
    });
  }
  // Last resort when the runner dies without a signal: kill synchronously what is left.
  process.once('exit', () => {
    for (const p of running) signalGroup(p, 'SIGKILL');
  });
}

/** A free loopback port (the OS picks it; parallel runs never collide on a fixed one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
