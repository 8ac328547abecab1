/**
 * zod's parse options for a schema that is parsed on every call: zod's interpreter for the
 * first parse in a thread, its compiled fast path from the second on.
 *
 * zod compiles a parser for each object schema (`new Function`) the first time it parses with
 * it, about 85 for an AsyncActor: the first call paid for all of them, before Crossplane got its
 * first answer from a server that had just started (bench/cold-start.ts). The interpreter gives
 * the same output and issues (zod's contract; parse-context.test.ts compares the two on the
 * corpus); compiled, a parse costs about half as much, which pays from the second call on.
 */
import type { z } from 'zod';

export function firstParseInterpreted(error: z.core.$ZodErrorMap): () => z.core.ParseContext<z.core.$ZodIssue> {
  const first = { error, jitless: true } as const;
  const steady = { error } as const;
  let parsed = false;
  return () => {
    if (parsed) return steady;
    parsed = true;
    return first;
  };
}
