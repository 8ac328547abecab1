/**
 * The API server's own syntax rules for object names, label and annotation keys and values
 * (apimachinery `validation.IsQualifiedName`, `IsValidLabelValue`, `IsDNS1123Subdomain`,
 * `ValidateAnnotationsSize`), so a ServiceAccount the function composes is never one the API
 * server refuses. Each returns why a string breaks the rule, or undefined.
 */

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes caps the annotations of one object at 256 KiB, keys and values together. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return `is ${name.length} characters long (at most 253)`;
  if (!SUBDOMAIN.test(name)) return 'is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)';
  return undefined;
}

/** `[prefix/]name`: prefix a DNS subdomain, name at most 63 alphanumerics, `-`, `_`, `.`. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"';
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : [undefined, parts[0] ?? ''];
  if (prefix !== undefined) {
    const problem = dnsSubdomainProblem(prefix);
    if (problem !== undefined) return `prefix ${JSON.stringify(prefix)} ${problem}`;
  }
  if (name.length === 0) return 'has an empty name part';
  if (name.length > 63) return `has a name part of ${name.length} characters (at most 63)`;
  if (!NAME_PART.test(name)) return 'has a name part that is not alphanumerics, "-", "_" and "." starting and ending with an alphanumeric';
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters long (at most 63)`;
  if (!LABEL_VALUE.test(value)) return 'is not empty nor alphanumerics, "-", "_" and "." starting and ending with an alphanumeric';
  return undefined;
}

/** Bytes, as the API server counts them. */
export function annotationsBytes(annotations: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) total += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
  return total;
}
