/**
 * Runtime validation of an AsyncActor document: zod shape checks, then the semantic rules.
 * Used by the RunFunction handler and the CLI, so both refuse exactly the same documents.
 */
import type { z } from 'zod';
import { asyncActorDocument, type AsyncActor } from './async-actor.js';
import type { FieldIssue, PathSegment, Result } from './issues.js';
import { checkRules, RULES } from './rules.js';

/** zod reports unknown keys once per object; we report each key at its own path. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PathSegment[] = []): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const base = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: [...base, key], rule: 'schema', message: `unknown field ${JSON.stringify(key)}` });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push({ path: base, rule: 'schema', message: issue.message });
    } else {
      // Refinements in k8s.ts name their rule (toleration, volume-mount, ...).
      const rule = issue.code === 'custom' && typeof issue.params?.['rule'] === 'string' ? issue.params['rule'] : 'schema';
      out.push({ path: base, rule, message: issue.message });
    }
  }
  return out;
}

export function validateAsyncActor(doc: unknown): Result<AsyncActor> {
  const parsed = asyncActorDocument.safeParse(doc);
  if (!parsed.success) {
    const shape = fromZodIssues(parsed.error.issues);
    return { ok: false, issues: [...shape, ...rulesOnMalformed(doc, shape)] };
  }
  const issues = checkRules(parsed.data);
  return issues.length === 0 ? { ok: true, value: parsed.data } : { ok: false, issues };
}

/**
 * Semantic findings on a document whose shape is already wrong, so that one run reports every
 * problem. A rule that trips over the malformed part is skipped; findings on a field that
 * already has a shape error are dropped as noise.
 */
function rulesOnMalformed(doc: unknown, shape: readonly FieldIssue[]): FieldIssue[] {
  const taken = new Set(shape.map((i) => JSON.stringify(i.path)));
  const out: FieldIssue[] = [];
  for (const rule of RULES) {
    try {
      for (const issue of rule.check(doc as AsyncActor)) {
        if (!taken.has(JSON.stringify(issue.path))) out.push(issue);
      }
    } catch {
      // The rule needs a field the shape check already reported; nothing more to say.
    }
  }
  return out;
}

/** The actor name the Deployment and labels use: `spec.actor`, else `metadata.name`. */
export const actorName = (actor: AsyncActor): string => actor.spec.actor ?? actor.metadata.name;
