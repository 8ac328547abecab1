/**
 * Starting a function server as a separate process on a loopback port and waiting until it answers
 * a RunFunction call (the cold-start measurement: spawn to first answered call).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawFunctionClient } from '../test/support/grpc-client.js';

export interface Spawned {
  readonly child: ChildProcess;
  readonly address: string;
  /** Milliseconds from spawn to the first answered RunFunction call. */
  readonly coldStartMs: number;
  readonly stderr: () => string;
  readonly stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `command ...args --insecure --address 127.0.0.1:<port>` and polls with `probe` (a valid
 * request) every 2 ms until it gets an answer. stdout is discarded; stderr is kept in a temporary
 * file (its first 64 KiB are shown in errors), removed by `stop`.
 */
export async function spawnFunction(command: string, args: readonly string[], probe: Uint8Array, timeoutMs = 20_000): Promise<Spawned> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const started = performance.now();
  // stderr goes to a file, not a pipe: a peer that logs every call (function-go-templating
  // does) must not make the benchmark process, which is also the client, read its logs.
  const logDir = mkdtempSync(join(tmpdir(), 'asya-bench-'));
  const logFile = join(logDir, 'stderr.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(command, [...args, '--insecure', '--address', address], { stdio: ['ignore', 'ignore', fd] });
  closeSync(fd);
  const err = (): string => {
    try {
      const buf = Buffer.alloc(64 * 1024);
      const rfd = openSync(logFile, 'r');
      const n = readSync(rfd, buf, 0, buf.length, 0);
      closeSync(rfd);
      return buf.subarray(0, n).toString('utf8');
    } catch {
      return '';
    }
  };
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const client = new RawFunctionClient(address, undefined, { 'grpc.initial_reconnect_backoff_ms': 1, 'grpc.min_reconnect_backoff_ms': 1, 'grpc.max_reconnect_backoff_ms': 2 });
  let coldStartMs = -1;
  try {
    while (performance.now() - started < timeoutMs) {
      if (exited) throw new Error(`${command} exited before answering: ${err().slice(0, 2000)}`);
      try {
        await client.callBytes(probe, 200);
        coldStartMs = performance.now() - started;
        break;
      } catch {
        await sleep(2);
      }
    }
  } finally {
    client.close();
  }
  const stop = async () => {
    if (exited) {
      rmSync(logDir, { recursive: true, force: true });
      return;
    }
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    rmSync(logDir, { recursive: true, force: true });
  };
  if (coldStartMs < 0) {
    await stop();
    throw new Error(`${command} did not answer within ${timeoutMs} ms: ${err().slice(0, 2000)}`);
  }
  return { child, address, coldStartMs, stderr: err, stop };
}

/**
 * The node flags the package image starts the function with: its Dockerfile ENTRYPOINT is
 * ["/nodejs/bin/node", <flags>..., "/app/main.mjs"] (test/packaging.test.ts keeps
 * scripts/build-image.sh the same). They size V8's heap, so memory and latency figures of the
 * built entry point are the image's only with them.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8');
  const line = dockerfile.split('\n').findLast((l) => l.startsWith('ENTRYPOINT '));
  const argv = JSON.parse(line?.slice('ENTRYPOINT '.length) ?? '[]') as string[];
  return argv.slice(1, -1);
}

/** Resident set size of a process in KiB (VmRSS from /proc/<pid>/status), or undefined. */
export function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}
