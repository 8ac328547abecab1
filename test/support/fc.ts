/**
 * fast-check settings shared by the property tests and bench/fuzz.ts: a fixed seed, so every run
 * explores the same cases and a failure reproduces exactly. On failure fast-check prints the seed
 * and the shrunk counterexample path; rerun with `FC_SEED=<seed>` (and `FC_PATH=<path>` to jump
 * straight to the counterexample). `FC_RUNS_SCALE` multiplies every property's run count.
 */
import type { Parameters } from 'fast-check';

export const FC_SEED = process.env['FC_SEED'] === undefined ? 0x5eed_2025 : Number(process.env['FC_SEED']);
const SCALE = process.env['FC_RUNS_SCALE'] === undefined ? 1 : Number(process.env['FC_RUNS_SCALE']);

export function fcParams<T>(numRuns: number, extra: Parameters<T> = {}): Parameters<T> {
  const path = process.env['FC_PATH'];
  return {
    seed: FC_SEED,
    numRuns: Math.max(1, Math.round(numRuns * SCALE)),
    ...(path === undefined ? {} : { path }),
    ...extra,
  };
}
