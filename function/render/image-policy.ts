/**
 * `input.allowedConnectorImages`: which images a connector may run. An image outside the list is
 * a FATAL error naming the mount.
 *
 * Semantics (written for people who will try to get around it):
 * - Both sides are normalised the way the container runtime resolves them before comparing:
 *   registry lower-cased, `index.docker.io` = `docker.io`, no registry = `docker.io`, and a
 *   single-component Docker Hub name = `library/<name>`. Entries compare case-insensitively; an
 *   image with upper case in its repository path is not a valid reference and is refused.
 * - Only the repository is compared. Tags and digests are ignored on the image (a digest pin of an
 *   allowed repository is allowed) and refused in an entry, because pinning would have to reason
 *   about which of tag or digest the runtime pulls.
 * - An entry ending in `/`, `-`, `_` or `.` is an open prefix: `ghcr.io/deliveryhero/asya-state-proxy-`
 *   allows every connector flavour. Any other entry names a whole repository, registry or
 *   namespace and matches only at a path boundary: `ghcr.io/deliveryhero` allows
 *   `ghcr.io/deliveryhero/x` but not `ghcr.io/deliveryhero-evil/x`, and
 *   `…/asya-state-proxy-s3-buffered-lww` does not allow `…/asya-state-proxy-s3-buffered-lww-evil`.
 * - An entry without `/` that looks like a host (`ghcr.io`, `localhost:5000`) is a registry.
 * - An image that does not parse is refused (the kubelet would refuse it too), so no odd spelling
 *   can slip past the comparison.
 * - Absent or empty list: every image is allowed.
 */
import type { StepInput } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import type { FieldIssue } from '../schema/issues.js';
import { DOCKER_HUB, canonicalDomain, parseImageRef, repositoryName } from './image-ref.js';

export interface PolicyEntry {
  /** Normalised `domain/path` prefix. */
  readonly prefix: string;
  /** true: plain string prefix; false: equal, or followed by `/`. */
  readonly open: boolean;
}

const ENTRY_CHARS = /^[a-z0-9._/:\-[\]]+$/;
const OPEN_END = /[/._-]$/;

const hostLike = (s: string) => s.includes('.') || s.includes(':') || s === 'localhost';

export function parsePolicyEntry(entry: string): PolicyEntry | { readonly invalid: string } {
  const lower = entry.trim().toLowerCase();
  if (lower === '' || !ENTRY_CHARS.test(lower)) return { invalid: 'must be an image repository prefix (letters, digits, . _ - / and a registry port)' };
  if (lower.includes('@')) return { invalid: 'must not contain a digest: entries are repository prefixes' };
  const slash = lower.indexOf('/');
  if (slash < 0) {
    if (hostLike(lower)) return { prefix: `${canonicalDomain(lower)}/`, open: true };
    return { prefix: `${DOCKER_HUB}/library/${lower}`, open: OPEN_END.test(lower) };
  }
  const first = lower.slice(0, slash);
  const domain = hostLike(first) ? canonicalDomain(first) : DOCKER_HUB;
  let path = hostLike(first) ? lower.slice(slash + 1) : lower;
  if (path.includes(':')) return { invalid: 'must not contain a tag: entries are repository prefixes' };
  if (path.includes('//') || path.startsWith('/')) return { invalid: 'must not contain empty path components' };
  if (path === '') return { prefix: `${domain}/`, open: true };
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { prefix: `${domain}/${path}`, open: OPEN_END.test(path) };
}

export const entryMatches = (entry: PolicyEntry, repository: string): boolean =>
  entry.open ? repository.startsWith(entry.prefix) : repository === entry.prefix || repository.startsWith(`${entry.prefix}/`);

export type ImageVerdict = { readonly allowed: true } | { readonly allowed: false; readonly why: string };

/** Against an empty list nothing is allowed: a list of only invalid entries must fail closed. */
export function imageAllowed(image: string, entries: readonly PolicyEntry[]): ImageVerdict {
  const ref = parseImageRef(image);
  if (ref === undefined) return { allowed: false, why: 'it is not a valid image reference' };
  const repository = repositoryName(ref);
  return entries.some((e) => entryMatches(e, repository))
    ? { allowed: true }
    : { allowed: false, why: `its repository ${repository} is not under any allowed prefix` };
}

export function checkImagePolicy(actor: AsyncActor, input: StepInput): FieldIssue[] {
  const raw = input.allowedConnectorImages ?? [];
  if (raw.length === 0) return [];
  const issues: FieldIssue[] = [];
  const entries: PolicyEntry[] = [];
  raw.forEach((entry, k) => {
    const parsed = parsePolicyEntry(entry);
    if ('invalid' in parsed) {
      issues.push({ path: ['input', 'allowedConnectorImages', k], rule: 'connector-image-policy-entry', message: `${JSON.stringify(entry)} ${parsed.invalid}` });
    } else {
      entries.push(parsed);
    }
  });
  const listed = raw.map((e) => JSON.stringify(e)).join(', ');
  (actor.spec.stateProxy ?? []).forEach((mount, i) => {
    const verdict = imageAllowed(mount.connector.image, entries);
    if (!verdict.allowed) {
      issues.push({
        path: ['spec', 'stateProxy', i, 'connector', 'image'],
        rule: 'connector-image-policy',
        message: `connector image ${JSON.stringify(mount.connector.image)} of mount ${JSON.stringify(mount.name)} is not allowed: ${verdict.why} (input.allowedConnectorImages: ${listed})`,
      });
    }
  });
  return issues;
}
