/**
 * A validation finding tied to one field of a document. Every layer (zod shape checks, semantic
 * rules, the JSON Schema run by ajv, the step input) reports in this one shape so that the CLI,
 * the RunFunction handler and the tests print and compare errors the same way.
 */
export type PathSegment = string | number;

export interface FieldIssue {
  /** Where, from the document root: `['spec', 'stateProxy', 0, 'mount', 'path']`. */
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Stable identifier of the check that failed (`schema`, `unique-mount-names`, ...). */
  readonly rule: string;
  /**
   * Machine-readable detail of a shape check (the pattern, bound or allowed values) for tools
   * reading validate's JSON report; the message says the same in words.
   */
  readonly detail?: Readonly<Record<string, unknown>>;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec.stateProxy[0].connector.env[1].name`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

export function formatIssue(issue: FieldIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Thrown only at boundaries that cannot return a value (CLI option parsing); carries its issues. */
export class ValidationError extends Error {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], context?: string) {
    const head = context === undefined ? '' : `${context}: `;
    super(head + issues.map(formatIssue).join('; '));
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };
