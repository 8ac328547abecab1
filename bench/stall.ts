/**
 * Stalled clients against the in-flight byte budget (issue 12 item 5): `connections` HTTP/2
 * connections open `streams` RunFunction calls each that announce a 4 MB message, send all but
 * its last byte and stall. Prints the server's RSS before, while they stall, and after they
 * leave, with the budget at its default and with it effectively off.
 *
 *   npx tsx bench/stall.ts [--connections 10] [--streams 20] [--bound <bytes>]
 */
import { connect, type ClientHttp2Session } from 'node:http2';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { DEFAULT_MAX_INFLIGHT_BYTES } from '../function/server/server.js';
import { RawFunctionClient } from '../test/support/grpc-client.js';
import { rssKiB, startEntryPoint } from '../test/support/spawn.js';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';

const { values } = parseArgs({ options: { connections: { type: 'string' }, streams: { type: 'string' }, bound: { type: 'string' } } });
const CONNECTIONS = Number(values.connections ?? 10);
const STREAMS = Number(values.streams ?? 20);
const BOUND = Number(values.bound ?? DEFAULT_MAX_INFLIGHT_BYTES);
const MiB = 1024 * 1024;
const ANNOUNCED = 4 * MiB - 16;
const PATH = '/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction';

interface Outcome {
  refused: number;
  timedOut: number;
  /** Streams closed without a grpc-status (REFUSED_STREAM over the per-connection limit, or a reset). */
  reset: number;
  other: number;
  open: number;
}

function stallAll(port: number): { sessions: ClientHttp2Session[]; outcome: Outcome } {
  const outcome: Outcome = { refused: 0, timedOut: 0, reset: 0, other: 0, open: 0 };
  const sessions: ClientHttp2Session[] = [];
  const body = Buffer.alloc(ANNOUNCED - 1, 0x41);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(ANNOUNCED, 1);
  for (let c = 0; c < CONNECTIONS; c++) {
    // The client queues each stream's whole body; Node's default 10 MB session memory would make
    // the client itself reset the streams (ENHANCE_YOUR_CALM) before it reads the server's answer.
    const session = connect(`http://127.0.0.1:${port}`, { maxSessionMemory: 1024 });
    session.on('error', () => undefined);
    sessions.push(session);
    for (let s = 0; s < STREAMS; s++) {
      const stream = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
      stream.on('error', () => undefined);
      outcome.open++;
      const settle = (status: number) => {
        outcome.open--;
        if (status === 8) outcome.refused++;
        else if (status === 4) outcome.timedOut++;
        else if (status === -1) outcome.reset++;
        else outcome.other++;
      };
      let settled = false;
      const once = (status: number) => {
        if (!settled) {
          settled = true;
          settle(status);
        }
      };
      stream.on('response', (h) => h['grpc-status'] !== undefined && once(Number(h['grpc-status'])));
      stream.on('trailers', (h) => once(Number(h['grpc-status'])));
      stream.on('close', () => once(-1));
      stream.write(prefix);
      stream.write(body);
      stream.resume();
    }
  }
  return { sessions, outcome };
}

async function run(label: string, args: string[]): Promise<string> {
  const fn = await startEntryPoint(['--insecure', '--workers', '0', ...args]);
  const pid = fn.child.pid as number;
  try {
    const client = new RawFunctionClient(`127.0.0.1:${fn.port}`);
    const req = RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish();
    for (let i = 0; i < 200; i++) await client.callBytes(req);
    await sleep(500);
    const before = await rssKiB(pid);
    const { sessions, outcome } = stallAll(fn.port);
    // Let the bytes arrive (or be refused); the peak is what a stalled client pins.
    let peak = before;
    for (let i = 0; i < 40; i++) {
      await sleep(250);
      peak = Math.max(peak, await rssKiB(pid));
    }
    const during = await rssKiB(pid);
    const stillServing = await client.callBytes(req).then(
      () => 'yes',
      (e: { code?: number }) => `no (code ${e.code})`,
    );
    const seen = { ...outcome };
    for (const s of sessions) s.destroy();
    await sleep(3000);
    // A few calls after they left: memory the server kept for them is reused or returned.
    for (let i = 0; i < 200; i++) await client.callBytes(req);
    await sleep(2000);
    const after = await rssKiB(pid);
    client.close();
    const m = (k: number) => (k / 1024).toFixed(0);
    return `| ${label} | ${m(before)} | ${m(peak)} (+${m(peak - before)}) | ${m(during)} | ${m(after)} (+${m(after - before)}) | ${seen.refused} | ${seen.reset} | ${seen.open} | ${stillServing} |`;
  } finally {
    fn.child.kill('SIGTERM');
    await fn.exited;
  }
}

console.log(`${CONNECTIONS} connections x ${STREAMS} streams, each announcing ${(ANNOUNCED / MiB).toFixed(0)} MiB and sending all but its last byte; RSS MiB`);
console.log('| server | idle | peak while stalled | after 10 s | after they left | refused (RESOURCE_EXHAUSTED) | reset, no status | still open | serves a small call while stalled |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
console.log(await run(`--max-inflight-bytes ${BOUND} (${(BOUND / MiB).toFixed(0)} MiB)`, ['--max-inflight-bytes', String(BOUND)]));
console.log(await run('budget off (--max-inflight-bytes 2^40)', ['--max-inflight-bytes', String(2 ** 40)]));
