/**
 * Container image references, parsed the way the container runtime reads them
 * (distribution/reference grammar), so that policy and flavour decisions are made on the
 * repository the kubelet will actually pull, not on the string the user typed.
 */

export interface ImageRef {
  /** Lower-cased registry host[:port]; `docker.io` when none is given. */
  readonly domain: string;
  /** Repository path; `library/<x>` for Docker Hub official images. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IPV6 = /^\[[0-9a-fA-F:]+\]$/;
const MAX_NAME = 255;

export const DOCKER_HUB = 'docker.io';
/** Both spell Docker Hub; `index.docker.io` is the legacy name the runtimes still accept. */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io']);

/**
 * Docker's rule: the first component is a registry when a `/` follows it and it contains `.` or
 * `:`, is `localhost`, or has an upper-case letter (repository paths cannot).
 */
function looksLikeDomain(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

function validDomain(domain: string): boolean {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const end = domain.indexOf(']');
    host = domain.slice(0, end + 1);
    const after = domain.slice(end + 1);
    if (end < 0 || !IPV6.test(host)) return false;
    if (after !== '') {
      if (!after.startsWith(':')) return false;
      port = after.slice(1);
    }
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return false;
  }
  return port === undefined || PORT.test(port);
}

export function canonicalDomain(domain: string): string {
  const lower = domain.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/**
 * Parsed references, memoised: the same few connector images come back on every reconcile and the
 * grammar takes a dozen regular expressions. Bounded (cleared when full); results are frozen, so
 * sharing them is safe.
 */
const parsed = new Map<string, ImageRef | undefined>();
const MAX_MEMO = 1024;

/** undefined when the kubelet would refuse the reference (InvalidImageName). */
export function parseImageRef(ref: string): ImageRef | undefined {
  const known = parsed.get(ref);
  if (known !== undefined || parsed.has(ref)) return known;
  const result = parseUncached(ref);
  if (parsed.size >= MAX_MEMO) parsed.clear();
  parsed.set(ref, result === undefined ? undefined : Object.freeze(result));
  return result;
}

function parseUncached(ref: string): ImageRef | undefined {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (rest.length === 0 || rest.length > MAX_NAME) return undefined;

  const slash = rest.indexOf('/');
  let domain = DOCKER_HUB;
  let path = rest;
  if (slash >= 0 && looksLikeDomain(rest.slice(0, slash))) {
    domain = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!validDomain(domain)) return undefined;
    domain = canonicalDomain(domain);
  }
  if (!path.split('/').every((c) => PATH_COMPONENT.test(c))) return undefined;
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return {
    domain,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest: digest.toLowerCase() }),
  };
}

/** `domain/path`, without tag or digest: the repository a policy is about. */
export const repositoryName = (ref: ImageRef): string => `${ref.domain}/${ref.path}`;

/** Last path component, `asya-state-proxy-s3-buffered-lww` for a connector image. */
export const imageBaseName = (ref: ImageRef): string => ref.path.slice(ref.path.lastIndexOf('/') + 1);
