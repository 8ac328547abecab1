/**
 * Validation of one YAML source (a file or stdin) as the CLI does it: every AsyncActor document
 * against the JSON Schema (ajv) and against validateAsyncActor (zod shape + semantic rules),
 * merged so that each problem is reported once, with its line and column. A valid document also
 * gets the warnings render prints for it (render/warnings.ts), located the same way.
 *
 * Sources are read once by js-yaml, which also records where each node starts (positions.ts); a
 * source with a syntax error (or a finding only the `yaml` package can place) is parsed with the
 * `yaml` package, which gives the syntax errors and positions the report needs.
 */
import { API_VERSION, GROUP, KIND } from '../schema/async-actor.js';
import { asAsyncActorDocument, LEGACY_COMPOSITE_KIND } from '../schema/legacy.js';
import { type FieldIssue, formatPath } from '../schema/issues.js';
// What render uses when it is given no step input (parseStepInput(undefined) parses to it).
import { DEFAULT_INPUT } from '../input/schema.js';
import { collectWarnings, type Warning } from '../render/warnings.js';
import { MAX_REPORTED_ISSUES, MORE_ISSUES_RULE, moreIssues, validateAsyncActor } from '../schema/validate.js';
import type { LineCounter } from 'yaml';
import { locate, parseSource, type Position, type SourceDocument } from './documents.js';
import { type FastDocument, type FastSource, loadFast, locateFast } from './positions.js';
import { type AjvIssues, type DocumentValidator, JSON_SCHEMA_RULE, readAjvErrors } from './json-schema.js';

export interface Finding {
  readonly file: string;
  readonly document: number;
  readonly line: number;
  readonly col: number;
  /** Formatted with formatPath. */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  /** The shape check's pattern, bound or allowed values, when there is one (JSON report only). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface SourceReport {
  readonly file: string;
  /** Problems in AsyncActor documents (exit 1). */
  readonly findings: readonly Finding[];
  /**
   * What render warns about in the valid ones (a last-write-wins connector with several replicas,
   * a write mode the connector does not do, missing connector env, literal credentials), with the
   * default step input; rule is the warning's reason. No effect on the exit code. Absent when
   * there are none, so a report without warnings is the one earlier builds made (the boundaries
   * benchmark compares reports across builds by digest).
   */
  readonly warnings?: readonly Finding[];
  /** YAML syntax errors (exit 2). */
  readonly syntaxErrors: readonly { readonly document: number; readonly position: Position; readonly message: string }[];
  /** Documents not checked, and why (informational, on stderr). */
  readonly notices: readonly string[];
  /** How many AsyncActor documents were checked, and how many of them are invalid. */
  readonly checked: number;
  /** Non-empty documents that were skipped (other kinds). */
  readonly skipped: number;
  readonly invalid: number;
}

const SHAPE_RULES = new Set(['schema', JSON_SCHEMA_RULE]);

/**
 * Semantic-rule findings win over shape findings at the same path (their messages say more than a
 * pattern mismatch); zod's shape findings win over ajv's at the same path (same problem, zod
 * says it per key and knows the refinements); exact repeats go.
 */
export function mergeIssues(fromRules: readonly FieldIssue[], fromJsonSchema: readonly FieldIssue[]): FieldIssue[] {
  // Most paths hold one issue (a document of 300,000 unknown fields has 600,000 issues at
  // 300,000 paths): a lone issue is kept as it is, a list only where paths repeat.
  const byPath = new Map<string, FieldIssue | FieldIssue[]>();
  const add = (issue: FieldIssue) => {
    const key = formatPath(issue.path);
    const there = byPath.get(key);
    if (there === undefined) byPath.set(key, issue);
    else if (Array.isArray(there)) there.push(issue);
    else byPath.set(key, [there, issue]);
  };
  for (const issue of fromRules) add(issue);
  for (const issue of fromJsonSchema) add(issue);
  const out: FieldIssue[] = [];
  for (const entry of byPath.values()) {
    if (!Array.isArray(entry)) out.push(entry);
    else for (const issue of keptAtPath(entry)) out.push(issue);
  }
  return out;
}

/** What mergeIssues keeps of the issues at one path, in order. */
function keptAtPath(issues: readonly FieldIssue[]): FieldIssue[] {
  if (issues.length === 1) return [...issues];
  const semantic = issues.some((i) => !SHAPE_RULES.has(i.rule));
  const zod = issues.some((i) => i.rule === 'schema');
  const kept = issues.filter((i) => {
    if (i.rule === JSON_SCHEMA_RULE) return !semantic && !zod;
    return true;
  });
  const out: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const i of kept) {
    const k = `${i.rule}\u0000${i.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(i);
    }
  }
  return out;
}

const MISSING = /^Invalid input: expected [^,]+, received undefined$/;

/** zod's wording for a missing required field, said plainly. */
export function humanize(issue: FieldIssue): FieldIssue {
  return issue.rule === 'schema' && MISSING.test(issue.message) ? { ...issue, message: 'required field is missing' } : issue;
}

// Reads back the count moreIssues wrote.
const HIDDEN = /^and (\d+) more problem/;

/**
 * Every problem of one AsyncActor document (plain data), merged; empty when valid. At most
 * MAX_REPORTED_ISSUES of them, as the function reports: validateAsyncActor caps its own, but ajv's
 * (one per unknown key of 300,000) would otherwise come through uncapped, each to be located and
 * printed.
 */
export function checkAsyncActor(value: unknown, validator: DocumentValidator): FieldIssue[] {
  return checkActorDocument(value, validator).issues;
}

/** A warning as an issue, to be located and printed as one (its reason as the rule). */
const warningIssue = (w: Warning): FieldIssue => ({ path: w.path, rule: w.reason, message: w.message });

/**
 * checkAsyncActor, and for a valid document the warnings render prints for it with the default
 * step input: a CI job that runs only `validate` sees them too.
 */
export function checkActorDocument(value: unknown, validator: DocumentValidator): { readonly issues: FieldIssue[]; readonly warnings: FieldIssue[] } {
  const fromRules = validateAsyncActor(value);
  const valid = validator(value);
  const issues = mergeCapped(fromRules.ok ? [] : fromRules.issues.map(humanize), readAjvErrors(valid ? null : validator.errors, value));
  const warnings = issues.length === 0 && fromRules.ok ? collectWarnings(fromRules.value, DEFAULT_INPUT).map(warningIssue) : [];
  return { issues, warnings };
}

/**
 * mergeIssues(fromRules, every issue of ajv's) capped at MAX_REPORTED_ISSUES, building only the
 * issues the report shows: the others are counted. The rules' issues are few (validateAsyncActor
 * caps them); ajv's errors can be 300,000, and an issue object and a Map entry for each were most
 * of the cost of a document of unknown keys. Same result as merging everything, then capping (a
 * test compares both).
 */
export function mergeCapped(fromRules: readonly FieldIssue[], ajv: AjvIssues): FieldIssue[] {
  // The rules' paths with their issues, in order; ajv's issues at those paths join them.
  const ruled = new Map<string, FieldIssue[]>();
  for (const issue of fromRules) {
    const key = formatPath(issue.path);
    const there = ruled.get(key);
    if (there === undefined) ruled.set(key, [issue]);
    else there.push(issue);
  }
  // Paths only ajv reports, in the order it first does: the index of the one error there, or several.
  const others = new Map<string, number | number[]>();
  for (let i = 0; i < ajv.count; i++) {
    if (!ajv.stands(i)) continue;
    const key = ajv.key(i);
    const group = ruled.get(key);
    if (group !== undefined) {
      group.push(ajv.issue(i));
      continue;
    }
    const there = others.get(key);
    if (there === undefined) others.set(key, i);
    else if (typeof there === 'number') others.set(key, [there, i]);
    else there.push(i);
  }
  // The merged list's first issues (enough for 100 that are not "and N more", or all of a short
  // list), its length, how many are real problems and how many the rules' "and N more" hid.
  const head: FieldIssue[] = [];
  let headReal = 0;
  let total = 0;
  let real = 0;
  let hidden = 0;
  const wanted = () => head.length < MAX_REPORTED_ISSUES + 2 || headReal < MAX_REPORTED_ISSUES;
  const take = (issue: FieldIssue) => {
    total++;
    const more = issue.rule === MORE_ISSUES_RULE;
    if (more) hidden += Number(HIDDEN.exec(issue.message)?.[1] ?? 0);
    else real++;
    if (!wanted()) return;
    head.push(issue);
    if (!more) headReal++;
  };
  for (const issues of ruled.values()) for (const issue of keptAtPath(issues)) take(issue);
  for (const entry of others.values()) {
    if (typeof entry !== 'number') for (const issue of keptAtPath(entry.map((i) => ajv.issue(i)))) take(issue);
    else if (wanted()) take(ajv.issue(entry));
    else {
      // An ajv issue is never "and N more": one more real problem, not built.
      total++;
      real++;
    }
  }
  if (total <= MAX_REPORTED_ISSUES + 1) return head;
  // The hidden ones validateAsyncActor counted are mostly the same problems ajv reports (one
  // unknown key each), so the larger count, not the sum.
  const more = Math.max(real - MAX_REPORTED_ISSUES, hidden);
  return [...head.filter((i) => i.rule !== MORE_ISSUES_RULE).slice(0, MAX_REPORTED_ISSUES), moreIssues(more)];
}

export type Selection =
  | { readonly check: true; readonly document: unknown }
  | { readonly check: false; readonly why?: string }
  | { readonly check: 'unknown-kind'; readonly issue: FieldIssue };

const ACCEPTED_KINDS: readonly string[] = [KIND, LEGACY_COMPOSITE_KIND];

/**
 * Which documents are checked: every kind the function accepts (AsyncActor and upstream's legacy
 * composite XAsyncActor, read as the function reads it). Any other kind in our API group is an
 * error, not a skip: `AsyncActr` or `asyncactor` is a typo the API server would refuse. Other
 * groups are someone else's resources and are skipped with a reason.
 */
export function select(value: unknown): Selection {
  if (value === null || value === undefined) return { check: false };
  if (typeof value !== 'object' || Array.isArray(value)) return { check: false, why: 'not a mapping' };
  const { kind, apiVersion } = value as { kind?: unknown; apiVersion?: unknown };
  const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : undefined;
  const ours = group === GROUP || apiVersion === API_VERSION;
  if (typeof kind === 'string' && ACCEPTED_KINDS.includes(kind)) {
    // kind AsyncActor of another API group is someone else's resource; a wrong version of ours is an error.
    if (typeof apiVersion === 'string' && !ours) return { check: false, why: `kind ${kind} of another API group (${apiVersion})` };
    return { check: true, document: asAsyncActorDocument(value) };
  }
  if (ours) {
    const shown = typeof kind === 'string' ? JSON.stringify(kind) : '(none)';
    const hint = typeof kind === 'string' ? suggestKind(kind) : KIND;
    const message = `kind ${shown} is not a kind of API group ${GROUP}${hint === undefined ? ` (known kinds: ${ACCEPTED_KINDS.join(', ')})` : `; did you mean ${hint}?`}`;
    return { check: 'unknown-kind', issue: { path: ['kind'], rule: 'known-kind', message } };
  }
  return { check: false, why: `kind ${typeof kind === 'string' ? kind : '(none)'}${typeof apiVersion === 'string' ? ` (${apiVersion})` : ''}` };
}

/** The accepted kind a typo most likely meant: same letters in another case, or at most 2 edits away. */
export function suggestKind(kind: string): string | undefined {
  let best: { kind: string; distance: number } | undefined;
  for (const known of ACCEPTED_KINDS) {
    const distance = editDistance(kind.toLowerCase(), known.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { kind: known, distance };
  }
  return best?.kind;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const byPosition = (a: Finding, b: Finding) =>
  a.document - b.document || a.line - b.line || a.col - b.col || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * The fast path, one parse: js-yaml (several times faster than the `yaml` package) reads the
 * values and, through its listener, where every node starts (positions.ts), so findings are
 * located without a second parse. A source js-yaml refuses (a syntax error, a duplicate key) or
 * a finding the js-yaml tree cannot place exactly as the `yaml` package would (an alias to follow)
 * goes to checkPositioned, so every reported line:column is the one the `yaml` package gives.
 */
function checkFast(text: string, file: string, validator: DocumentValidator): SourceReport | undefined {
  const source = loadFast(text);
  if (source === undefined) return undefined;
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  const notices: string[] = [];
  let checked = 0;
  let invalid = 0;
  let skipped = 0;
  for (const doc of source.documents) {
    const selection = select(doc.value);
    if (selection.check === false) {
      if (selection.why !== undefined) {
        skipped++;
        notices.push(`${file}: document ${doc.index}: skipped, ${selection.why}`);
      }
      continue;
    }
    checked++;
    const checkedDoc = selection.check === 'unknown-kind' ? { issues: [selection.issue], warnings: [] } : checkActorDocument(selection.document, validator);
    if (checkedDoc.issues.length > 0) invalid++;
    const located = locatedFast(file, source, doc, checkedDoc.issues, findings) && locatedFast(file, source, doc, checkedDoc.warnings, warnings);
    if (!located) return undefined;
  }
  findings.sort(byPosition);
  warnings.sort(byPosition);
  return { file, findings, ...withWarnings(warnings), syntaxErrors: [], notices, checked, invalid, skipped };
}

const withWarnings = (warnings: readonly Finding[]): { warnings?: readonly Finding[] } => (warnings.length === 0 ? {} : { warnings });

/** Issues of one document located on the js-yaml table into `out`; false when one cannot be (the caller falls back). */
function locatedFast(file: string, source: FastSource, doc: FastDocument, issues: readonly FieldIssue[], out: Finding[]): boolean {
  for (const issue of issues) {
    const atKey = issue.message.startsWith('unknown field');
    const position = locateFast(source, doc, issue.path, { atKey });
    if (position === undefined) return false;
    const finding = { file, document: doc.index, line: position.line, col: position.col, path: formatPath(issue.path), rule: issue.rule, message: issue.message };
    out.push(issue.detail === undefined ? finding : { ...finding, detail: issue.detail });
  }
  return true;
}

export function checkSource(text: string, file: string, validator: DocumentValidator): SourceReport {
  return checkFast(text, file, validator) ?? checkPositioned(text, file, validator);
}

/** The complete path: the `yaml` package with source positions and syntax errors. */
export function checkPositioned(text: string, file: string, validator: DocumentValidator): SourceReport {
  const parsed = parseSource(text);
  const broken = new Set(parsed.errors.map((e) => e.index));
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  const notices: string[] = [];
  let checked = 0;
  let invalid = 0;
  let skipped = 0;
  for (const source of parsed.documents) {
    if (broken.has(source.index)) continue;
    const selection = select(source.value);
    if (selection.check === false) {
      if (selection.why !== undefined) {
        skipped++;
        notices.push(`${file}: document ${source.index}: skipped, ${selection.why}`);
      }
      continue;
    }
    checked++;
    const checkedDoc = selection.check === 'unknown-kind' ? { issues: [selection.issue], warnings: [] } : checkActorDocument(selection.document, validator);
    if (checkedDoc.issues.length > 0) invalid++;
    // A loop, not push(...list): spreading 200,000 findings overflowed the call stack.
    for (const finding of positionedFindings(file, source, parsed.lineCounter, checkedDoc.issues)) findings.push(finding);
    for (const warning of positionedFindings(file, source, parsed.lineCounter, checkedDoc.warnings)) warnings.push(warning);
  }
  findings.sort(byPosition);
  warnings.sort(byPosition);
  const syntaxErrors = parsed.errors.map((e) => ({ document: e.index, position: e.position, message: e.message }));
  return { file, findings, ...withWarnings(warnings), syntaxErrors, notices, checked, invalid, skipped };
}

/**
 * Issues of one document, each at the line and column of its field: the one place that maps an
 * issue to its source position, for `validate` and `render` alike.
 */
export function positionedFindings(file: string, source: SourceDocument, lineCounter: LineCounter, issues: readonly FieldIssue[]): Finding[] {
  return issues.map((issue) => {
    const atKey = issue.message.startsWith('unknown field');
    const { line, col } = locate(source.doc, issue.path, lineCounter, { atKey });
    const finding = { file, document: source.index, line, col, path: formatPath(issue.path), rule: issue.rule, message: issue.message };
    return issue.detail === undefined ? finding : { ...finding, detail: issue.detail };
  });
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.col}: document ${f.document}: ${f.path}: ${f.message}`;
}

/** A warning, as formatFinding prints an error and render prints a warning: `warning:` before the field. */
export function formatWarning(f: Finding): string {
  return `${f.file}:${f.line}:${f.col}: document ${f.document}: warning: ${f.path}: ${f.message}`;
}

export function formatSyntaxError(file: string, e: SourceReport['syntaxErrors'][number]): string {
  return `${file}:${e.position.line}:${e.position.col}: document ${e.document}: YAML syntax error: ${e.message}`;
}

/** `--format json`: one object for the whole run. */
export function toJsonReport(reports: readonly SourceReport[], ioErrors: readonly string[]): object {
  return {
    valid: reports.every((r) => r.findings.length === 0 && r.syntaxErrors.length === 0) && ioErrors.length === 0,
    checked: reports.reduce((n, r) => n + r.checked, 0),
    invalid: reports.reduce((n, r) => n + r.invalid, 0),
    findings: reports.flatMap((r) => r.findings),
    warnings: reports.flatMap((r) => r.warnings ?? []),
    syntaxErrors: reports.flatMap((r) =>
      r.syntaxErrors.map((e) => ({ file: r.file, document: e.document, line: e.position.line, col: e.position.col, message: e.message })),
    ),
    ioErrors,
    notices: reports.flatMap((r) => r.notices),
  };
}

/** Exit code of a run: 2 on I/O or syntax errors, 1 when a document is invalid, else 0. */
export function exitCode(reports: readonly SourceReport[], ioErrors: readonly string[]): 0 | 1 | 2 {
  if (ioErrors.length > 0 || reports.some((r) => r.syntaxErrors.length > 0)) return 2;
  return reports.some((r) => r.findings.length > 0) ? 1 : 0;
}

/** *.yaml / *.yml files, in a stable order (code-point order of the full path). */
export function selectYamlFiles(paths: readonly string[]): string[] {
  return paths.filter((p) => /\.ya?ml$/i.test(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
