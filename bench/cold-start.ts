/**
 * Cold start of the function's entry points: time from spawn to the "listening" log line,
 * median and min of N runs each, run interleaved so machine noise hits all variants alike.
 *
 *   npx tsx bench/cold-start.ts [--runs 10] [--node /path/to/node]... [--entry NAME=FILE[::NODE_ARGS]]...
 *
 * Variants (each skipped when its file is missing): the esbuild bundle (`npm run package` or
 * scripts/bundle.sh), the tsc output (`npm run build`), and any `--entry` given (for example
 * an older bundle kept for a before/after comparison in the same run). Each `--node` binary
 * (default: the one running this script) runs every variant; the image runs Node 24, the host
 * may not. `::` adds node flags and VAR=value environment words for that entry
 * (`::NODE_COMPILE_CACHE=dir NODE_COMPILE_CACHE_PORTABLE=1`). The bundle inside
 * the runc-booted image is measured by scripts/smoke-package.sh instead.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const flag = (name: string): string[] => process.argv.flatMap((a, i) => (a === name && process.argv[i + 1] !== undefined ? [process.argv[i + 1]!] : []));
const runs = Number(flag('--runs')[0] ?? 10) || 10;
const nodes = flag('--node').length > 0 ? flag('--node').map((n) => resolve(n)) : [process.execPath];
const dist = existsSync(join(ROOT, 'dist/function/server/main.js')) ? 'dist/function/server/main.js' : undefined;
interface Variant { readonly name: string; readonly file: string; readonly nodeArgs: readonly string[]; readonly env?: Record<string, string> }
const variants: Variant[] = [
  { name: 'bundle (_build/app/main.mjs)', file: join(ROOT, '_build/app/main.mjs'), nodeArgs: [] },
  ...(dist ? [{ name: `tsc output (${dist})`, file: join(ROOT, dist), nodeArgs: [] }] : []),
  ...flag('--entry').map((spec) => {
    const [nameFile = '', args = ''] = spec.split('::');
    const eq = nameFile.indexOf('=');
    const words = args.split(' ').filter(Boolean);
    // NAME=value words are environment variables for that entry (NODE_COMPILE_CACHE=dir).
    const env = Object.fromEntries(words.filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    return { name: nameFile.slice(0, eq), file: resolve(nameFile.slice(eq + 1)), nodeArgs: words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w)), env };
  }),
].filter((v) => existsSync(v.file));

function once(node: string, v: Variant): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(node, [...v.nodeArgs, v.file, '--insecure', '--address', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...v.env } });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('listening')) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        child.kill('SIGTERM');
        child.once('exit', () => resolve(ms));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => { if (!out.includes('listening')) reject(new Error(`${v.file} exited ${code}: ${out}`)); });
  });
}

const version = (node: string): string => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
const cells = nodes.flatMap((node) => variants.map((v) => ({ node, v, label: `${v.name} [node ${version(node)}]`, times: [] as number[] })));
for (let i = 0; i < runs; i++) for (const c of cells) c.times.push(await once(c.node, c.v));
console.log(`cold start to "listening", ${runs} runs each, interleaved`);
for (const c of cells) {
  const s = [...c.times].sort((a, b) => a - b);
  console.log(`${c.label.padEnd(60)} median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms  min ${s[0]!.toFixed(0)} ms`);
}
