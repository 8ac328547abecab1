/**
 * Messages a platform engineer can act on, for the shape checks (zod, and ajv where only the JSON
 * Schema catches a problem): the offending value and what the field takes, in words, instead of
 * zod's `Invalid string: must match pattern /^[a-z0-9]…$/`. The printed line already starts with
 * the field path, so a message starts with the value. The pattern itself stays in the issue's
 * machine-readable `detail` (validate's JSON report).
 */
import type { z } from 'zod';
import {
  CONFIG_MAP_KEY,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  ENV_NAME,
  FIELD_PATH,
  IMAGE,
  LABEL_VALUE,
  NON_NEGATIVE_QUANTITY,
  QUALIFIED_NAME,
  QUANTITY,
  RELAXED_ENV_NAME,
  RESOURCE_FIELD,
} from './k8s.js';

const QUANTITY_WORDS = "a Kubernetes quantity: a number with an optional suffix such as 500m, 2, 1.5, 512Mi or 1G";

/** `RegExp.source` spelling (a `/` comes back as `\/`), the form zod reports a pattern in. */
const sourceOf = (pattern: string): string => new RegExp(pattern).source;

/** What a value of each pattern is, keyed by the pattern's source. */
const PATTERN_WORDS: ReadonlyMap<string, string> = new Map(
  ([
  [DNS_LABEL, "a valid DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit"],
  [DNS_SUBDOMAIN, "a valid DNS subdomain: lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"],
  [LABEL_VALUE, "a valid label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit"],
  [QUALIFIED_NAME, "a valid label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"],
  [`^$|${QUALIFIED_NAME}`, "a valid toleration key: empty (matching every key, with operator Exists), or a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"],
  [CONFIG_MAP_KEY, "a valid Secret or ConfigMap key: letters, digits, '-', '_' and '.' only"],
  [ENV_NAME, "a valid environment variable name: letters, digits, '-', '_' and '.', not starting with a digit"],
  [RELAXED_ENV_NAME, "a valid environment variable name: printable ASCII characters other than '='"],
  [IMAGE, 'a valid image reference: it must not start or end with whitespace'],
  [QUANTITY, QUANTITY_WORDS],
  [NON_NEGATIVE_QUANTITY, `a non-negative ${QUANTITY_WORDS.slice(2)}`],
  [FIELD_PATH, 'a field the Downward API exposes as an environment variable: metadata.name, metadata.namespace, metadata.uid, metadata.labels[\'<key>\'], metadata.annotations[\'<key>\'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP or status.podIPs'],
  [RESOURCE_FIELD, 'a container resource the Downward API exposes: limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory, requests.ephemeral-storage or a hugepages-<size> limit or request'],
  ] as const).map(([pattern, words]) => [sourceOf(pattern), words]),
);

/** `"Foo Bar"`, `5`, `true`: the value as the user wrote it, cut short when long. */
export function showValue(value: unknown): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'a list' : 'a mapping') : String(value);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

function safeSource(pattern: string): string {
  try {
    return sourceOf(pattern);
  } catch {
    return pattern;
  }
}

/** Why `value` does not match `pattern` (its source, with or without the enclosing slashes). */
export function patternMessage(pattern: string, value: unknown): string {
  const source = /^\/(.*)\/[a-z]*$/s.exec(pattern)?.[1] ?? pattern;
  const words = PATTERN_WORDS.get(source) ?? PATTERN_WORDS.get(safeSource(source));
  return words === undefined ? `${showValue(value)} does not have the required format` : `${showValue(value)} is not ${words}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'string' ? 'the string' : typeof value === 'number' ? 'the number' : `the ${typeof value}`} ${showValue(value)}`;
}

const bound = (n: number | bigint, inclusive: boolean | undefined, more: boolean): string =>
  inclusive === false ? `${more ? 'more' : 'less'} than ${n}` : `${more ? 'at least' : 'at most'} ${n}`;

/**
 * zod's error map for the AsyncActor schema (pass as `safeParse(doc, { error: zodMessage })`):
 * a sentence for the checks a user trips over, undefined (zod's own message) for the rest.
 * Messages set in the schema (refinements) take precedence over this map.
 */
export const zodMessage: z.core.$ZodErrorMap = (issue) => {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'required field is missing';
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${typeOf(input)}`;
    case 'invalid_format':
      if (issue.format === 'regex' && typeof issue.pattern === 'string') return patternMessage(issue.pattern, input);
      return undefined;
    case 'invalid_value':
      return `${showValue(input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big':
      if (issue.origin === 'string' && typeof input === 'string') return `${showValue(input)} is ${input.length} characters long; ${bound(issue.maximum, issue.inclusive, false)} allowed`;
      if (issue.origin === 'array' && Array.isArray(input)) return `${input.length} entries; ${bound(issue.maximum, issue.inclusive, false)} allowed`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `${showValue(input)} is too large: must be ${bound(issue.maximum, issue.inclusive, false)}`;
      return undefined;
    case 'too_small':
      if (issue.origin === 'string' && typeof input === 'string') return input === '' ? 'must not be empty' : `${showValue(input)} is too short: ${bound(issue.minimum, issue.inclusive, true)} characters required`;
      if (issue.origin === 'array' && Array.isArray(input)) return input.length === 0 ? 'must not be empty' : `${input.length} entries; ${bound(issue.minimum, issue.inclusive, true)} required`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `${showValue(input)} is too small: must be ${bound(issue.minimum, issue.inclusive, true)}`;
      return undefined;
    case 'unrecognized_keys':
      // fromZodIssues reports each key at its own path and never reads this; zod's own message
      // joins every key into one string (300,000 of them for a 4 MB document of unknown fields).
      return `${issue.keys.length} unknown field${issue.keys.length === 1 ? '' : 's'}`;
    default:
      return undefined;
  }
};
