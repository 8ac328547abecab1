// Self time of a .cpuprofile grouped by where the code lives: zod, function/schema (validation),
// function/wire, function/render, the handler and the rest, GC; as shares and ms.
//   node bench/cpu-profile-groups.mjs <file.cpuprofile>
import { readFileSync } from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const groups = new Map();
const group = (f) => {
  const u = f.url;
  if (f.functionName === '(garbage collector)') return 'gc';
  if (f.functionName === '(idle)' || f.functionName === '(program)') return 'idle/program';
  if (u.includes('node_modules/zod') || f.functionName.startsWith('RegExp:')) return 'zod + regexps';
  const m = /\/function\/([^/]+)\//.exec(u);
  if (m) return `function/${m[1]}`;
  if (/\/function\/[^/]+\.js$/.test(u)) return 'function/*.js (handler, results, json)';
  if (u.includes('node_modules/')) return 'other node_modules';
  if (u.includes('/bench/')) return 'bench';
  return 'node internals / anonymous';
};
prof.samples.forEach((id, i) => {
  const g = group(byId.get(id).callFrame);
  groups.set(g, (groups.get(g) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...groups.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...groups.entries()].sort((a, b) => b[1] - a[1])) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
