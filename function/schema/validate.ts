/**
 * Runtime validation of an AsyncActor document: zod shape checks, then the semantic rules.
 * Used by the RunFunction handler and the CLI, so both refuse exactly the same documents.
 */
import type { z } from 'zod';
import { asyncActorDocument, type AsyncActor, MAX_ENV, MAX_MOUNTS, MAX_SECRET_REFS, MAX_USER_CONTAINERS, MAX_VOLUMES } from './async-actor.js';
import { isObject } from '../json.js';
import type { FieldIssue, PathSegment, Result } from './issues.js';
import { zodMessage } from './messages.js';
import { checkRules, RULES } from './rules.js';
import { firstParseInterpreted } from './parse-context.js';

const parseContext = firstParseInterpreted(zodMessage);

/**
 * zod reports unknown keys once per object; we report each key at its own path. `limit` stops
 * after that many (the rest would only be counted: shapeIssueCount).
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PathSegment[] = [], limit = Number.POSITIVE_INFINITY): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (out.length >= limit) break;
    const base = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        if (out.length >= limit) break;
        out.push({ path: [...base, key], rule: 'schema', message: `unknown field ${JSON.stringify(key)}` });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push({ path: base, rule: 'schema', message: issue.message });
    } else {
      // Refinements in k8s.ts name their rule (toleration, volume-mount, ...).
      const rule = issue.code === 'custom' && typeof issue.params?.['rule'] === 'string' ? issue.params['rule'] : 'schema';
      const detail = shapeDetail(issue);
      out.push({ path: base, rule, message: issue.message, ...(detail === undefined ? {} : { detail }) });
    }
  }
  return out;
}

/** How many issues fromZodIssues makes of these (one per unknown key, one per other issue). */
function shapeIssueCount(issues: readonly z.core.$ZodIssue[]): number {
  let n = 0;
  for (const issue of issues) n += issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
  return n;
}

/** JSON.stringify of the path of every issue fromZodIssues makes of these, without making them. */
function shapePaths(issues: readonly z.core.$ZodIssue[]): Set<string> {
  const paths = new Set<string>();
  for (const issue of issues) {
    const base = issue.path as PathSegment[];
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) paths.add(JSON.stringify([...base, key]));
    else paths.add(JSON.stringify(base));
  }
  return paths;
}

/** What the message says in words, as data: the pattern, the bound or the allowed values. */
function shapeDetail(issue: z.core.$ZodIssue): Record<string, unknown> | undefined {
  switch (issue.code) {
    case 'invalid_format':
      // zod writes `/source/`; the detail carries the source, as the CRD's `pattern` has it.
      return issue.pattern === undefined
        ? { code: issue.code, format: issue.format }
        : { code: issue.code, format: issue.format, pattern: /^\/(.*)\/[a-z]*$/s.exec(issue.pattern)?.[1] ?? issue.pattern };
    case 'invalid_value':
      return { code: issue.code, values: issue.values };
    case 'too_big':
      return { code: issue.code, origin: issue.origin, maximum: Number(issue.maximum), inclusive: issue.inclusive ?? true };
    case 'too_small':
      return { code: issue.code, origin: issue.origin, minimum: Number(issue.minimum), inclusive: issue.inclusive ?? true };
    case 'invalid_type':
      return { code: issue.code, expected: issue.expected };
    default:
      return undefined;
  }
}

/**
 * Most problems reported for one document. A list of 85,000 bad entries would otherwise be an
 * 85,000-line message (and a response as large as the request); the first ones say what is wrong.
 */
export const MAX_REPORTED_ISSUES = 100;

export function capIssues(issues: readonly FieldIssue[], max = MAX_REPORTED_ISSUES): FieldIssue[] {
  if (issues.length <= max) return [...issues];
  return [...issues.slice(0, max), moreIssues(issues.length - max)];
}

/** The rule of the line that stands for the problems past the cap. */
export const MORE_ISSUES_RULE = 'more-issues';

/** The line that stands for `more` problems not shown. */
export const moreIssues = (more: number): FieldIssue => ({ path: [], rule: MORE_ISSUES_RULE, message: `and ${more} more problem${more === 1 ? '' : 's'} not shown (fix the ones above first)` });

export function validateAsyncActor(doc: unknown): Result<AsyncActor> {
  const parsed = asyncActorDocument.safeParse(doc, parseContext());
  if (!parsed.success) {
    const zodIssues = parsed.error.issues;
    // Past the cap the shape issues are counted, not made: 300,000 unknown fields are 300,000
    // issues of which the first 100 are shown. Rule findings come after all of them.
    const count = shapeIssueCount(zodIssues);
    const shape = fromZodIssues(zodIssues, [], MAX_REPORTED_ISSUES + 1);
    const rules = rulesOnMalformed(doc, () => shapePaths(zodIssues));
    if (shape.length < count) return { ok: false, issues: [...shape.slice(0, MAX_REPORTED_ISSUES), moreIssues(count + rules.length - MAX_REPORTED_ISSUES)] };
    for (const issue of rules) shape.push(issue);
    return { ok: false, issues: capIssues(shape) };
  }
  const issues = checkRules(parsed.data);
  return issues.length === 0 ? { ok: true, value: parsed.data } : { ok: false, issues: capIssues(issues) };
}

/**
 * Semantic findings on a document whose shape is already wrong, so that one run reports every
 * problem. A rule that trips over the malformed part is skipped; findings on a field that
 * already has a shape error are dropped as noise.
 */
function rulesOnMalformed(doc: unknown, shapePathSet: () => Set<string>): FieldIssue[] {
  // Built on the first rule finding only: a document with 300,000 unknown fields has as many
  // shape issues and usually no rule finding at all.
  let taken: Set<string> | undefined;
  const out: FieldIssue[] = [];
  const view = withinListLimits(doc);
  for (const rule of RULES) {
    try {
      for (const issue of rule.check(view as AsyncActor)) {
        taken ??= shapePathSet();
        if (!taken.has(JSON.stringify(issue.path))) out.push(issue);
      }
    } catch {
      // The rule needs a field the shape check already reported; nothing more to say.
    }
  }
  return out;
}

/** The spec lists with a maximum length, and that maximum. */
const LIST_LIMITS: ReadonlyArray<readonly [string, number]> = [
  ['stateProxy', MAX_MOUNTS],
  ['env', MAX_ENV],
  ['volumes', MAX_VOLUMES],
  ['initContainers', MAX_USER_CONTAINERS],
  ['sidecars', MAX_USER_CONTAINERS],
  ['secretRefs', MAX_SECRET_REFS],
];

/**
 * The document with every spec list over its limit cut to its first `limit` items, for the
 * semantic rules: the shape check already refuses the list, the first items are the ones worth
 * reporting on, and some rules compare entries pairwise. Keeps the cost of any document linear.
 */
function withinListLimits(doc: unknown): unknown {
  if (!isObject(doc) || !isObject(doc['spec'])) return doc;
  const spec = doc['spec'];
  let cut: Record<string, unknown> | undefined;
  for (const [field, limit] of LIST_LIMITS) {
    const list = spec[field];
    if (Array.isArray(list) && list.length > limit) {
      cut ??= { ...spec };
      cut[field] = list.slice(0, limit);
    }
  }
  return cut === undefined ? doc : { ...doc, spec: cut };
}

/** The actor name the Deployment and labels use: `spec.actor`, else `metadata.name`. */
export const actorName = (actor: AsyncActor): string => actor.spec.actor ?? actor.metadata.name;
