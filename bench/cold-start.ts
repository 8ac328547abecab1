/**
 * Cold start of the function's entry points: time from spawn to the first answered RunFunction
 * call (the benchmark actor, 8 mounts, as bench/run.ts sends it), and to the "listening" log
 * line, median, min and max of N runs each, run interleaved so machine noise hits all variants
 * alike. Every answer is checked byte for byte against this checkout's computeAnswer, so a
 * variant that starts faster by answering differently fails instead of winning.
 *
 *   npx tsx bench/cold-start.ts [--runs 10] [--node /path/to/node]... [--entry NAME=FILE[::NODE_ARGS]]... [--no-defaults] [--allow-different]
 *
 * Variants (each skipped when its file is missing): the esbuild bundle (`npm run package` or
 * scripts/bundle.sh), the tsc output (`npm run build`), and any `--entry` given (for example
 * an older bundle kept for a before/after comparison in the same run); `--no-defaults` measures
 * only the `--entry` ones. Each `--node` binary (default: the one running this script) runs every
 * variant; the image runs Node 24, the host may not. `::` adds node flags, VAR=value environment
 * words and, after `--`, server flags for that entry
 * (`::NODE_COMPILE_CACHE=dir --cpu-prof -- --workers 0`). `--allow-different` compares entries
 * whose answers are expected to differ from this checkout's (an older release). The bundle
 * inside the runc-booted image is measured by scripts/smoke-package.sh instead.
 *
 * The client polls from the moment of the spawn (a call every 2 ms until one is answered), as
 * Crossplane would reach a function that is still starting; the "listening" line is read from
 * the server's stdout in the same run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { computeAnswer } from '../function/server/answer.js';
import { RawFunctionClient } from '../test/support/grpc-client.js';
import { BENCH_INPUT, benchActor, benchRequest } from './fixtures.js';
import { freePort } from './spawn.js';

const ROOT = join(import.meta.dirname, '..');
const flag = (name: string): string[] => process.argv.flatMap((a, i) => (a === name && process.argv[i + 1] !== undefined ? [process.argv[i + 1]!] : []));
const runs = Number(flag('--runs')[0] ?? 10) || 10;
const nodes = flag('--node').length > 0 ? flag('--node').map((n) => resolve(n)) : [process.execPath];
const defaults = !process.argv.includes('--no-defaults');
const allowDifferent = process.argv.includes('--allow-different');
const dist = existsSync(join(ROOT, 'dist/function/server/main.js')) ? 'dist/function/server/main.js' : undefined;
interface Variant { readonly name: string; readonly file: string; readonly nodeArgs: readonly string[]; readonly serverArgs: readonly string[]; readonly env?: Record<string, string> }
const variants: Variant[] = [
  ...(defaults ? [{ name: 'bundle (_build/app/main.mjs)', file: join(ROOT, '_build/app/main.mjs'), nodeArgs: [], serverArgs: [] }] : []),
  ...(defaults && dist ? [{ name: `tsc output (${dist})`, file: join(ROOT, dist), nodeArgs: [], serverArgs: [] }] : []),
  ...flag('--entry').map((spec) => {
    const [nameFile = '', args = ''] = spec.split('::');
    const eq = nameFile.indexOf('=');
    const all = args.split(' ').filter(Boolean);
    const dash = all.indexOf('--');
    const words = dash < 0 ? all : all.slice(0, dash);
    // NAME=value words are environment variables for that entry (NODE_COMPILE_CACHE=dir).
    const env = Object.fromEntries(words.filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    return { name: nameFile.slice(0, eq), file: resolve(nameFile.slice(eq + 1)), nodeArgs: words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w)), serverArgs: dash < 0 ? [] : all.slice(dash + 1), env };
  }),
].filter((v) => existsSync(v.file));

const probe = RunFunctionRequest.encode(benchRequest(benchActor(8), BENCH_INPUT, 'cold-start')).finish();
const expected = computeAnswer(probe).out;

interface Sample { readonly answered: number; readonly listening: number; readonly cpu: number; readonly mainCpu: number }

/**
 * CPU time the process had used (all its threads, and its main thread alone), in ms, from
 * /proc/<pid>/task/<tid>/schedstat: with the machine shared, wall time includes waiting for a
 * core, CPU time does not. NaN where /proc is missing.
 */
function cpuMs(pid: number | undefined): { all: number; main: number } {
  if (pid === undefined) return { all: NaN, main: NaN };
  try {
    let all = 0;
    let main = NaN;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      all += ns;
      if (tid === String(pid)) main = ns;
    }
    return { all: all / 1e6, main: main / 1e6 };
  } catch {
    return { all: NaN, main: NaN };
  }
}

async function once(node: string, v: Variant): Promise<Sample> {
  const address = `127.0.0.1:${await freePort()}`;
  const t0 = performance.now();
  const child = spawn(node, [...v.nodeArgs, v.file, '--insecure', '--address', address, ...v.serverArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...v.env } });
  let out = '';
  let listening = -1;
  let exited = false;
  const onData = (b: Buffer) => {
    out += b.toString();
    if (listening < 0 && out.includes('listening')) listening = performance.now() - t0;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const gone = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const client = new RawFunctionClient(address, undefined, { 'grpc.initial_reconnect_backoff_ms': 1, 'grpc.min_reconnect_backoff_ms': 1, 'grpc.max_reconnect_backoff_ms': 2 });
  let answered = -1;
  let answer: Buffer | undefined;
  let cpu = { all: NaN, main: NaN };
  try {
    while (performance.now() - t0 < 20_000 && !exited) {
      try {
        answer = await client.callBytes(probe, 500);
        answered = performance.now() - t0;
        cpu = cpuMs(child.pid);
        break;
      } catch {
        await sleep(2);
      }
    }
  } finally {
    client.close();
  }
  // The line may still be in the pipe when the answer arrives.
  for (let i = 0; i < 200 && listening < 0 && !exited; i++) await sleep(5);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
  if (answered < 0 || answer === undefined) throw new Error(`${v.file} did not answer: ${out.slice(0, 2000)}`);
  if (!allowDifferent && !answer.equals(expected)) throw new Error(`${v.name}: the answer differs from this checkout's computeAnswer (--allow-different to compare anyway)`);
  return { answered, listening, cpu: cpu.all, mainCpu: cpu.main };
}

const version = (node: string): string => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
const cells = nodes.flatMap((node) => variants.map((v) => ({ node, v, label: `${v.name} [node ${version(node)}]`, samples: [] as Sample[] })));
for (let i = 0; i < runs; i++) for (const c of cells) c.samples.push(await once(c.node, c.v));
const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)]!.toFixed(0).padStart(4)} (${s[0]!.toFixed(0)}-${s[s.length - 1]!.toFixed(0)})`.padEnd(16);
};
console.log(`cold start, ${runs} runs each, interleaved; median (min-max) ms`);
console.log('  answered: spawn to the first answered RunFunction call (the benchmark actor, 8 mounts)');
console.log('  listening: spawn to the "listening" log line');
console.log('  cpu, main cpu: CPU time of the server process (all threads; its main thread) when the answer arrived');
console.log(`${'variant'.padEnd(48)} ${'answered'.padEnd(16)} ${'listening'.padEnd(16)} ${'cpu'.padEnd(16)} main cpu`);
for (const c of cells) {
  const col = (f: (s: Sample) => number) => stats(c.samples.map(f));
  console.log(`${c.label.padEnd(48)} ${col((s) => s.answered)} ${col((s) => s.listening)} ${col((s) => s.cpu)} ${col((s) => s.mainCpu)}`);
}
