/**
 * The server with worker threads (issue 12 item 8, issue 16 item 3): the event loop stays free
 * while a large call is answered, so the health check and small calls do not wait behind it,
 * and a graceful stop lets that call finish before the workers go.
 */
import { RunFunctionRequest, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, poolOf, type RunningServer } from './server.js';
import { RawFunctionClient } from '../../test/support/grpc-client.js';
import { TestHealthClient } from '../../test/support/health-client.js';
import { actorDoc, baseSpec, request } from '../../test/support/requests.js';

const silent = pino({ level: 'silent' });
let running: RunningServer | undefined;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await running?.stop(100);
  running = undefined;
});

/** A request of about 2 MB whose answer takes a while (a long list, over its limit). */
const big = () => {
  const tolerations = Array.from({ length: 40_000 }, (_, i) => ({ key: `k${i}`, operator: 'Exists' }));
  return Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc({ ...baseSpec, tolerations }) })).finish());
};
const small = () => Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish());

async function start(workers: number, busyOffload = false) {
  running = await listen({ address: '127.0.0.1:0', insecure: true, tlsServerCertsDir: '', maxRecvMessageSize: 4 * 1024 * 1024, debug: false, workers, responseCacheEntries: 0, busyOffload }, silent);
  await poolOf(running.server)?.ready();
  const address = `127.0.0.1:${running.port}`;
  const client = new RawFunctionClient(address);
  const health = new TestHealthClient(address);
  closers.push(() => client.close(), () => health.close());
  // Warm both paths up (connection, JIT).
  await client.callBytes(small());
  await health.check('');
  return { client, health };
}

/** When each of the promises settled, in completion order. */
async function order(named: Record<string, Promise<unknown>>): Promise<string[]> {
  const done: string[] = [];
  await Promise.all(Object.entries(named).map(([name, p]) => p.then(() => done.push(name))));
  return done;
}

describe('server with worker threads', () => {
  // Small concurrent calls: by default all answered in the main thread (no worker heap grows for
  // them); with busyOffload the ones that find others in flight go to the workers.
  it.each([
    { busyOffload: false, allInline: true },
    { busyOffload: true, allInline: false },
  ])('busyOffload $busyOffload: 32 concurrent small calls all answered in the main thread: $allInline', async ({ busyOffload, allInline }) => {
    const { client } = await start(2, busyOffload);
    const pool = poolOf((running as RunningServer).server);
    if (pool === undefined) throw new Error('a server with workers has a pool');
    const before = pool.inline;
    const req = small();
    const answers = await Promise.all(Array.from({ length: 32 }, () => client.callBytes(req)));
    expect(new Set(answers.map((a) => a.toString('base64'))).size).toBe(1);
    const inline = pool.inline - before;
    if (allInline) expect(inline).toBe(32);
    else expect(inline).toBeLessThan(32);
  }, 60_000);

  it('answers the health check and a small call while a large call is being answered', async () => {
    const { client, health } = await start(1);
    const large = client.callBytes(big(), 30_000);
    await new Promise((r) => setTimeout(r, 20));
    const done = await order({ large, health: health.check(''), small: client.callBytes(small()) });
    expect(done.indexOf('health')).toBeLessThan(done.indexOf('large'));
    expect(done.indexOf('small')).toBeLessThan(done.indexOf('large'));
    // Over the tolerations limit: answered with a FATAL naming the field, from the worker.
    const rsp = RunFunctionResponse.decode(await large);
    expect(rsp.results.map((r) => [r.severity, r.message.includes('spec.tolerations')])).toEqual([[Severity.SEVERITY_FATAL, true]]);
  }, 60_000);

  it('a graceful stop lets the call a worker is answering finish, then stops the workers', async () => {
    const { client } = await start(1);
    const large = client.callBytes(big(), 30_000);
    const pool = poolOf(running!.server)!;
    // Until the request has arrived and a worker took it.
    for (let i = 0; i < 500 && pool.busy === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(pool.busy).toBe(1);
    const stopped = await running!.stop(30_000);
    running = undefined;
    expect(stopped.forced).toBe(false);
    expect((await large).length).toBeGreaterThan(0);
    expect(pool.busy).toBe(0);
    // Closed: a call given to it now is answered in the main thread, no worker is left.
    await pool.run(small());
    expect(pool.inline).toBeGreaterThan(0);
  }, 60_000);
});
