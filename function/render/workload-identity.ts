/**
 * What each cloud's workload identity looks like on a ServiceAccount, and the warning for an S3
 * or GCS connector that has neither credentials nor an identity (issue 17, item 5).
 *
 * The pod's identity is pod-wide: the connectors and the runtime share the ServiceAccount.
 */
import type { AsyncActor, Connector } from '../schema/async-actor.js';
import type { PathSegment } from '../schema/issues.js';
import { recognizeFlavor } from './flavor.js';

export type Cloud = 'aws' | 'gcp' | 'azure';

/** The ServiceAccount annotation that binds it to the cloud identity (README "Workload identity"). */
export const IDENTITY_ANNOTATION: Readonly<Record<Cloud, string>> = {
  aws: 'eks.amazonaws.com/role-arn',
  gcp: 'iam.gke.io/gcp-service-account',
  azure: 'azure.workload.identity/client-id',
};

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Values the provider's webhook or metadata server would reject at pod start, long after the
 * render; caught here so the FATAL names the input field instead. Partitions `aws`, `aws-cn`,
 * `aws-us-gov`, ...; role names with paths (`role/team/reader`).
 */
const FORMATS: ReadonlyArray<{ key: string; test: (v: string) => boolean; want: string }> = [
  { key: IDENTITY_ANNOTATION.aws, test: (v) => /^arn:aws[-a-z]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(v), want: 'an IAM role ARN (arn:aws:iam::123456789012:role/name)' },
  {
    key: IDENTITY_ANNOTATION.gcp,
    test: (v) => /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9.:-]*[a-z0-9]\.iam\.gserviceaccount\.com$/.test(v),
    want: 'a Google service account email (name@project.iam.gserviceaccount.com)',
  },
  { key: IDENTITY_ANNOTATION.azure, test: (v) => UUID.test(v), want: 'the managed identity or application client ID, a UUID' },
  { key: 'azure.workload.identity/tenant-id', test: (v) => UUID.test(v), want: 'the Entra tenant ID, a UUID' },
];

/** Why a known identity annotation's (substituted) value is malformed, or undefined. */
export function identityAnnotationProblem(key: string, value: string): string | undefined {
  const format = FORMATS.find((f) => f.key === key);
  if (format === undefined || format.test(value)) return undefined;
  return `${key} must be ${format.want}, got ${JSON.stringify(value)}`;
}

/** What the actor pod runs as, as far as the render can see it. */
export interface PodIdentity {
  /** Annotations of a ServiceAccount this function composes; undefined when none is composed. */
  readonly composedAnnotations?: Readonly<Record<string, string>>;
  /** A ServiceAccount outside the render (spec.serviceAccountName, shared, an earlier step's): assumed bound. */
  readonly external: boolean;
  /** The platform binds the composed ServiceAccount outside Kubernetes (EKS Pod Identity, ...). */
  readonly boundOutsideKubernetes: boolean;
}

const CREDENTIAL_ENV: Readonly<Record<'aws' | 'gcp', readonly string[]>> = {
  aws: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  gcp: ['GOOGLE_APPLICATION_CREDENTIALS'],
};

function cloudOf(connector: Connector): 'aws' | 'gcp' | undefined {
  const flavor = recognizeFlavor(connector);
  if (flavor.kind !== 'file') return undefined;
  if (flavor.flavor.startsWith('s3-')) return 'aws';
  if (flavor.flavor.startsWith('gcs-')) return 'gcp';
  return undefined;
}

/** envFrom content is invisible at render time, so any envFrom may carry the credentials. */
function hasCredentialEnv(connector: Connector, cloud: 'aws' | 'gcp'): boolean {
  if ((connector.envFrom ?? []).length > 0) return true;
  const names = new Set((connector.env ?? []).map((e) => e.name));
  return CREDENTIAL_ENV[cloud].every((n) => names.has(n));
}

function hasIdentity(identity: PodIdentity, cloud: 'aws' | 'gcp'): boolean {
  if (identity.external) return true;
  if (identity.composedAnnotations === undefined) return false;
  return identity.boundOutsideKubernetes || Object.hasOwn(identity.composedAnnotations, IDENTITY_ANNOTATION[cloud]);
}

const FIX: Readonly<Record<'aws' | 'gcp', string>> = {
  aws: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in connector.env from a Secret (valueFrom.secretKeyRef or envFrom), or give the pod an AWS identity: input.serviceAccount.annotations["eks.amazonaws.com/role-arn"] (IRSA), input.serviceAccount.boundOutsideKubernetes for an EKS Pod Identity association, or spec.serviceAccountName naming a ServiceAccount bound to an IAM role',
  gcp: 'set GOOGLE_APPLICATION_CREDENTIALS in connector.env to a key file mounted from a Secret (or use envFrom), or give the pod a Google identity: input.serviceAccount.annotations["iam.gke.io/gcp-service-account"] (GKE Workload Identity), input.serviceAccount.boundOutsideKubernetes for a direct principal binding, or spec.serviceAccountName naming a ServiceAccount bound to a Google service account',
};

export interface IdentityWarning {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** One warning per S3 or GCS connector with neither credential env nor an identity. */
export function missingIdentityWarnings(actor: AsyncActor, identity: PodIdentity): IdentityWarning[] {
  const out: IdentityWarning[] = [];
  (actor.spec.stateProxy ?? []).forEach((entry, i) => {
    const cloud = cloudOf(entry.connector);
    if (cloud === undefined || hasCredentialEnv(entry.connector, cloud) || hasIdentity(identity, cloud)) return;
    const what = cloud === 'aws' ? 'S3' : 'GCS';
    out.push({
      path: ['spec', 'stateProxy', i, 'connector'],
      message: `the ${what} connector of mount ${JSON.stringify(entry.name)} has no ${cloud === 'aws' ? 'AWS' : 'Google'} credentials and the pod has no ${cloud === 'aws' ? 'AWS' : 'Google'} workload identity, so its first request will be refused; ${FIX[cloud]}`,
    });
  });
  return out;
}
