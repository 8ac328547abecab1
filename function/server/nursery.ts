/**
 * Keeps V8's nursery (the young generation's semi-spaces) at its initial size, in every thread,
 * whatever flags node was started with.
 *
 * V8 doubles a busy isolate's semi-spaces up to 16 MiB each (32 MiB of nursery, per thread);
 * the image's `--max-semi-space-size=4` (Dockerfile) caps that only when node is started with
 * it, and a flag given later through v8.setFlagsFromString no longer resizes a heap that exists.
 * The growth factor, though, is read each time V8 would grow the nursery, so setting it to 1 at
 * run time keeps the nursery at the 1 MiB semi-spaces it starts with, in the main thread and in
 * workers created later. A smaller nursery means more scavenges, but also less memory held
 * between them; under bench/soak.ts (30 s, uncached, one worker, the image's flags, three
 * interleaved runs each) the RSS after the soak went from 162-170 to 140-160 MiB, calls/s
 * 396-508 before and 422-581 after. Never 0: V8 crashes on a growth factor of 0.
 */
import { setFlagsFromString } from 'node:v8';

export const NURSERY_FLAGS = ['--semi-space-growth-factor=1'] as const;

let applied = false;

/**
 * Applies NURSERY_FLAGS once per process. The nursery keeps the size it has then, so the entry
 * point calls this first, before loading the server grows it (to 8-10 MiB by the time the
 * server starts listening).
 */
export function keepNurserySmall(): void {
  if (applied) return;
  applied = true;
  for (const flag of NURSERY_FLAGS) setFlagsFromString(flag);
}
