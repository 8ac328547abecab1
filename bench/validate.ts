/**
 * Benchmark of `asya-state-proxy validate`'s path: 1,000 generated AsyncActor documents (four
 * mounts each, with env, resources and valueFrom) in one multi-document YAML source, parsed with
 * source positions, checked against the JSON Schema (ajv, compiled once) and validateAsyncActor
 * (zod + semantic rules). Prints documents per second (median of several repetitions), once for
 * valid documents (the usual case) and once for the same documents with an error each (located on
 * the same single js-yaml parse, function/validate/positions.ts).
 *
 *   npx tsx bench/validate.ts [documents] [repetitions]
 *
 * `actor [mounts] [rounds]` instead times validateAsyncActor alone on the benchmark actor
 * (bench/fixtures.ts benchActor, 8 mounts by default), the typical call the handler makes: per-call
 * microseconds, median of the batches of each round. With BENCH_PROFILE=<file> the timed rounds
 * are also written as a CPU profile (run the tsc build for profiles).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { validateAsyncActor } from '../function/schema/validate.js';
import { checkSource } from '../function/validate/check.js';
import { defaultValidator } from '../function/validate/schema-file.js';
import { benchActor } from './fixtures.js';
import { consume, time } from './micro.js';

const FLAVOURS = ['s3-buffered-lww', 's3-buffered-cas', 'gcs-buffered-cas', 'redis-buffered-cas'] as const;

function actor(i: number): unknown {
  return {
    apiVersion: 'asya.sh/v1alpha1',
    kind: 'AsyncActor',
    metadata: { name: `actor-${i}`, namespace: 'bench', labels: { team: `t${i % 7}` } },
    spec: {
      image: `ghcr.io/example/actor-${i}:1.0.${i % 10}`,
      handler: 'handler.Actor.process',
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ],
      scaling: { minReplicaCount: 0, maxReplicaCount: 10 },
      stateProxy: FLAVOURS.map((flavour, m) => ({
        name: `mount-${m}`,
        mount: { path: `/state/actor-${i}/m${m}` },
        writeMode: m === 0 ? 'passthrough' : 'buffered',
        connector: {
          image: `ghcr.io/deliveryhero/asya-state-proxy-${flavour}:v1.0.0`,
          env: [
            flavour.startsWith('redis')
              ? { name: 'REDIS_URL', value: 'redis://redis.default:6379/0' }
              : { name: 'STATE_BUCKET', value: `bucket-${i}` },
            { name: 'STATE_PREFIX', value: `actor-${i}` },
            { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'connector', key: 'token' } } },
          ],
          resources: { requests: { cpu: '50m', memory: '64Mi' } },
        },
      })),
    },
  };
}

export const VALIDATE_MOUNTS = FLAVOURS.length;

export interface ValidateRate {
  /** Documents per second: median, min and max over the repetitions. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ValidateBenchmark {
  readonly documents: number;
  readonly repetitions: number;
  readonly kib: number;
  /** All documents valid: the fast reader settles the source. */
  readonly valid: ValidateRate;
  /** One error per document, each located (same single parse). */
  readonly invalid: ValidateRate;
}

/** Runs both measurements; throws if the generated input is not what it should be. */
export function runValidateBenchmark(documents = 1000, repetitions = 9): ValidateBenchmark {
  const validSource = Array.from({ length: documents }, (_, i) => YAML.stringify(actor(i))).join('---\n');
  // The same documents with one error each (a mount at /): no fast path, every error located.
  const invalidSource = validSource.replace(/path: \/state\/actor-(\d+)\/m0\n/g, 'path: /\n');
  const validator = defaultValidator();

  function measure(source: string, expectInvalid: boolean): ValidateRate {
    // Warm up (JIT, lazy zod/ajv structures) and check the input is what we think it is.
    const warm = checkSource(source, 'bench.yaml', validator);
    if (warm.checked !== documents || warm.syntaxErrors.length > 0 || warm.invalid !== (expectInvalid ? documents : 0)) {
      throw new Error(`benchmark input is not ${documents} ${expectInvalid ? 'invalid' : 'valid'} documents: ${JSON.stringify(warm.findings.slice(0, 3))}`);
    }
    const rates: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      const start = performance.now();
      const report = checkSource(source, 'bench.yaml', validator);
      const seconds = (performance.now() - start) / 1000;
      if (report.checked !== documents) throw new Error('lost documents');
      rates.push(documents / seconds);
    }
    rates.sort((a, b) => a - b);
    return { median: rates[Math.floor(rates.length / 2)] ?? 0, min: rates[0] ?? 0, max: rates[rates.length - 1] ?? 0 };
  }

  return {
    documents,
    repetitions,
    kib: validSource.length / 1024,
    valid: measure(validSource, false),
    invalid: measure(invalidSource, true),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * validateAsyncActor on benchActor(mounts): per-call microseconds, one median per round, of wall
 * time and of this process's CPU time (which a busy machine inflates far less: a descheduled
 * process accrues none).
 */
export function runActorValidateBenchmark(mounts = 8, rounds = 5): { wall: number[]; cpu: number[] } {
  const doc = benchActor(mounts);
  const first = validateAsyncActor(doc);
  if (!first.ok) throw new Error(`benchmark actor is invalid: ${JSON.stringify(first.issues)}`);
  const wall = Array.from({ length: rounds }, () => time(() => validateAsyncActor(doc)).median);
  const CALLS = 2000;
  const cpu = Array.from({ length: rounds }, () => {
    const before = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) consume(validateAsyncActor(doc));
    const used = process.cpuUsage(before);
    return (used.user + used.system) / CALLS;
  });
  return { wall, cpu };
}

function actorMain(mounts: number, rounds: number): void {
  const profile = process.env['BENCH_PROFILE'];
  const session = profile === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.start');
  }
  const { wall, cpu } = runActorValidateBenchmark(mounts, rounds);
  session?.post('Profiler.stop', (err, res) => {
    if (err === null && profile !== undefined) writeFileSync(profile, JSON.stringify(res.profile));
  });
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const list = (xs: number[]) => xs.map((m) => m.toFixed(1)).join(', ');
  console.log(
    `validateAsyncActor, benchActor(${mounts}), Node ${process.version}: wall median ${mid(wall).toFixed(1)} µs per call (rounds: ${list(wall)}); ` +
      `CPU median ${mid(cpu).toFixed(1)} µs, min ${Math.min(...cpu).toFixed(1)} µs (rounds: ${list(cpu)})`,
  );
}

function main(): void {
  if (process.argv[2] === 'actor') {
    actorMain(Number(process.argv[3] ?? 8), Number(process.argv[4] ?? 5));
    return;
  }
  const documents = Number(process.argv[2] ?? 1000);
  const repetitions = Number(process.argv[3] ?? 9);
  const result = runValidateBenchmark(documents, repetitions);
  console.log(
    `validate benchmark: ${documents} AsyncActor documents, ${VALIDATE_MOUNTS} mounts each, ` +
      `${result.kib.toFixed(0)} KiB of YAML, ${repetitions} repetitions, Node ${process.version}`,
  );
  const line = (label: string, r: ValidateRate) =>
    console.log(`${label}: median ${fmt(r.median)} documents/s (min ${fmt(r.min)}, max ${fmt(r.max)}), ${((documents / r.median) * 1000).toFixed(0)} ms per ${documents} documents`);
  line('all valid', result.valid);
  line('all invalid (one error located per document)', result.invalid);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
