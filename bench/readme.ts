/** Where `npm run bench -- --write-readme` puts its report: README.md, between two markers. */
export const BENCH_START = '<!-- bench:start -->';
export const BENCH_END = '<!-- bench:end -->';

/**
 * `readme` with the text between the markers replaced by `report`; when the markers are absent, a
 * `## Performance` section holding them is appended. Nothing else changes.
 */
export function replaceBenchSection(readme: string, report: string): string {
  const block = `${BENCH_START}\n${report}\n${BENCH_END}`;
  const s = readme.indexOf(BENCH_START);
  const e = readme.indexOf(BENCH_END, s);
  if (s >= 0 && e > s) return `${readme.slice(0, s)}${block}${readme.slice(e + BENCH_END.length)}`;
  const base = readme.endsWith('\n') ? readme : `${readme}\n`;
  return `${base}\n## Performance\n\n${block}\n`;
}
