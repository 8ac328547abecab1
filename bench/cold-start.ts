/**
 * Cold start of the function's entry points: time from spawn to the "listening" log line,
 * median and min of N runs each, run interleaved so machine noise hits all variants alike.
 *
 *   npx tsx bench/cold-start.ts [--runs 10]
 *
 * Variants (each skipped when its file is missing): the esbuild bundle (`npm run package` or
 * scripts/bundle.sh), the tsc output (`npm run build`), and the bundle inside the runc-booted
 * image is measured by scripts/smoke-package.sh instead.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 10) || 10;
const dist = existsSync(join(ROOT, 'dist/function/server/main.js')) ? 'dist/function/server/main.js' : undefined;
const variants = [
  { name: 'bundle (_build/app/main.mjs)', file: '_build/app/main.mjs' },
  ...(dist ? [{ name: `tsc output (${dist})`, file: dist }] : []),
].filter((v) => existsSync(join(ROOT, v.file)));

function once(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, file), '--insecure', '--address', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.once('exit', (code) => { if (!out.includes('listening')) reject(new Error(`${file} exited ${code}: ${out}`)); });
  });
}

const times = new Map(variants.map((v) => [v.name, [] as number[]]));
for (let i = 0; i < runs; i++) for (const v of variants) times.get(v.name)!.push(await once(v.file));
console.log(`cold start to "listening", ${runs} runs each, node ${process.version}`);
for (const [name, t] of times) {
  const s = [...t].sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms  min ${s[0]!.toFixed(0)} ms`);
}
