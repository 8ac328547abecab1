/**
 * Which upstream connector a mount runs (`contract.md` §3), recognised from the image name or, for
 * the unified image, from `ASYA_CONNECTOR`. The renderer never changes behaviour on the flavour;
 * it only powers warnings and the key-value refusal, so an unrecognised image is always allowed.
 */
import type { Connector, WriteMode } from '../schema/async-actor.js';
import type { PathSegment } from '../schema/issues.js';
import { CONNECTOR_SELECTOR_ENV } from './constants.js';
import { imageBaseName, parseImageRef } from './image-ref.js';

export type FileFlavor =
  | 's3-buffered-lww'
  | 's3-buffered-cas'
  | 's3-passthrough'
  | 'gcs-buffered-lww'
  | 'gcs-buffered-cas'
  | 'redis-buffered-cas';

/** Gateway connectors: they speak a JSON key-value protocol the runtime cannot use. */
export type KeyValueFlavor = 's3-kv' | 'gcs-kv' | 'pvc-kv' | 'pg';

export interface FlavorSpec {
  readonly consistency: 'lww' | 'cas';
  readonly writeMode: WriteMode;
  readonly requiredEnv: readonly string[];
  readonly optionalEnv: readonly string[];
  /** The check-and-set flavour to suggest when an LWW one meets several replicas. */
  readonly casAlternative?: FileFlavor;
}

const S3_OPTIONAL = ['STATE_PREFIX', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'STATE_PRESIGN_TTL'] as const;
const GCS_OPTIONAL = ['STATE_PREFIX', 'GCS_PROJECT', 'STORAGE_EMULATOR_HOST', 'STATE_PRESIGN_TTL'] as const;

export const FILE_FLAVORS: Readonly<Record<FileFlavor, FlavorSpec>> = {
  's3-buffered-lww': { consistency: 'lww', writeMode: 'buffered', requiredEnv: ['STATE_BUCKET'], optionalEnv: S3_OPTIONAL, casAlternative: 's3-buffered-cas' },
  's3-buffered-cas': { consistency: 'cas', writeMode: 'buffered', requiredEnv: ['STATE_BUCKET'], optionalEnv: S3_OPTIONAL },
  // No streaming CAS connector exists; buffered CAS is the nearest safe choice.
  's3-passthrough': { consistency: 'lww', writeMode: 'passthrough', requiredEnv: ['STATE_BUCKET'], optionalEnv: S3_OPTIONAL, casAlternative: 's3-buffered-cas' },
  'gcs-buffered-lww': { consistency: 'lww', writeMode: 'buffered', requiredEnv: ['STATE_BUCKET'], optionalEnv: GCS_OPTIONAL, casAlternative: 'gcs-buffered-cas' },
  'gcs-buffered-cas': { consistency: 'cas', writeMode: 'buffered', requiredEnv: ['STATE_BUCKET'], optionalEnv: GCS_OPTIONAL },
  'redis-buffered-cas': { consistency: 'cas', writeMode: 'buffered', requiredEnv: ['REDIS_URL'], optionalEnv: ['STATE_PREFIX'] },
};

const KEY_VALUE_FLAVORS: readonly KeyValueFlavor[] = ['s3-kv', 'gcs-kv', 'pvc-kv', 'pg'];

/** Image base name of every upstream connector; the unified image is this without a suffix. */
export const CONNECTOR_IMAGE_BASE = 'asya-state-proxy';

export type Recognition =
  | { readonly kind: 'file'; readonly flavor: FileFlavor; readonly source: FlavorSource }
  | { readonly kind: 'key-value'; readonly flavor: KeyValueFlavor; readonly source: FlavorSource }
  | { readonly kind: 'unknown'; readonly code: UnknownCode; readonly why: string };

/** Why no flavour: the unified image lacks its selector, the selector is a reference, or the name is foreign. */
export type UnknownCode = 'unified-without-selector' | 'selector-not-literal' | 'unrecognised';

/** Where the flavour was read, relative to the connector (`['image']` or `['env', j, 'value']`). */
export interface FlavorSource {
  readonly path: readonly PathSegment[];
  /** The flavour the image suffix names when ASYA_CONNECTOR chose a different one. */
  readonly conflictsWithImage?: string;
}

function classify(name: string, source: FlavorSource): Recognition | undefined {
  if (Object.hasOwn(FILE_FLAVORS, name)) return { kind: 'file', flavor: name as FileFlavor, source };
  if ((KEY_VALUE_FLAVORS as readonly string[]).includes(name)) return { kind: 'key-value', flavor: name as KeyValueFlavor, source };
  return undefined;
}

/** The flavour the image name announces (`…/asya-state-proxy-<flavour>[:tag][@digest]`), if any. */
export function flavorFromImage(image: string): string | undefined {
  const ref = parseImageRef(image);
  if (ref === undefined) return undefined;
  const base = imageBaseName(ref);
  return base.startsWith(`${CONNECTOR_IMAGE_BASE}-`) ? base.slice(CONNECTOR_IMAGE_BASE.length + 1) : undefined;
}

/**
 * `ASYA_CONNECTOR` (a Python module name such as `s3_buffered_lww`) wins over the image suffix when
 * it is a literal: an environment variable overrides whatever default an image bakes in. Set via
 * `valueFrom`, it cannot be read at render time and the flavour is unknown.
 */
export function recognizeFlavor(connector: Connector): Recognition {
  const fromImage = flavorFromImage(connector.image);
  const env = connector.env ?? [];
  const j = env.findIndex((e) => e.name === CONNECTOR_SELECTOR_ENV);
  const selector = env[j];
  if (selector !== undefined) {
    if (selector.value === undefined) {
      return { kind: 'unknown', code: 'selector-not-literal', why: `${CONNECTOR_SELECTOR_ENV} comes from valueFrom, so the flavour cannot be read at render time` };
    }
    const name = selector.value.trim().toLowerCase().replaceAll('_', '-');
    const conflict = fromImage !== undefined && fromImage !== name ? { conflictsWithImage: fromImage } : {};
    return (
      classify(name, { path: ['env', j, 'value'], ...conflict }) ?? {
        kind: 'unknown',
        code: 'unrecognised',
        why: `${CONNECTOR_SELECTOR_ENV}=${selector.value} is not a connector this function knows`,
      }
    );
  }
  if (fromImage !== undefined) {
    return classify(fromImage, { path: ['image'] }) ?? { kind: 'unknown', code: 'unrecognised', why: `the image suffix "${fromImage}" is not a connector this function knows` };
  }
  const ref = parseImageRef(connector.image);
  if (ref !== undefined && imageBaseName(ref) === CONNECTOR_IMAGE_BASE) {
    return { kind: 'unknown', code: 'unified-without-selector', why: `the unified image needs ${CONNECTOR_SELECTOR_ENV} to choose a connector` };
  }
  return { kind: 'unknown', code: 'unrecognised', why: `the image is not an ${CONNECTOR_IMAGE_BASE}-<flavour> image` };
}
