/**
 * The generated definitions, as plain objects: the Crossplane XRD, the equivalent plain CRD, the
 * JSON Schema of a whole AsyncActor document, and the CRD of the function's step input. All are
 * derived from the zod schemas in function/schema/ and function/input/; nothing here is written
 * by hand except the Kubernetes/Crossplane envelope.
 */
import {
  API_VERSION,
  asyncActorDocument,
  asyncActorSpec,
  asyncActorStatus,
  CROSSPLANE_MANAGED_SPEC_KEYS,
  GROUP,
  KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  VERSION,
} from '../schema/async-actor.js';
import { ROOT_RULES } from '../schema/cel.js';
import { INPUT_GROUP, INPUT_KIND, INPUT_VERSION, stepInput } from '../input/schema.js';
import { omitProperties, type SchemaNode, toStructural, zodToJsonSchema } from './openapi.js';

export const XRD_NAME = `${PLURAL}.${GROUP}`;
export const CATEGORIES = ['crossplane', 'asya'] as const;
/** Crossplane appends this category to the CRD it derives from an XRD. */
export const CROSSPLANE_COMPOSITE_CATEGORY = 'composite';
/** A Crossplane XR's name is a label value: Crossplane caps it at 63 characters. */
export const XR_NAME_MAX_LENGTH = 63;

const DESCRIPTION =
  'An Asya actor: a queue-driven Deployment running a Python handler, with optional state proxy ' +
  'mounts (connector sidecars that serve files from S3, GCS or Redis under spec.stateProxy[].mount.path).';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

/**
 * Our columns. READY and AGE are not here: Crossplane (internal/xcrd, CompositeResourcePrinterColumns)
 * appends SYNCED, READY, COMPOSITION, COMPOSITIONREVISION (priority 1) and AGE to every XR's
 * columns, so declaring them again would print them twice.
 */
export const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'ACTOR', type: 'string', jsonPath: '.status.actor', description: 'Resolved actor name (spec.actor, else metadata.name).' },
  { name: 'MOUNTS', type: 'string', jsonPath: '.status.mounts', description: 'State proxy mount names.' },
];

/** What Crossplane v2.2 appends for a namespaced XR (copied from internal/xcrd/schemas.go). */
export const CROSSPLANE_PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'SYNCED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Synced')].status" },
  { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  { name: 'COMPOSITION', type: 'string', jsonPath: '.spec.crossplane.compositionRef.name' },
  { name: 'COMPOSITIONREVISION', type: 'string', jsonPath: '.spec.crossplane.compositionRevisionRef.name', priority: 1 },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** spec as users write it, structural. `withCrossplane: false` leaves Crossplane's keys out. */
export function specSchema(withCrossplane: boolean): SchemaNode {
  const spec = toStructural(zodToJsonSchema(asyncActorSpec, 'openapi-3.0'), 'spec');
  if (withCrossplane) return spec;
  return omitProperties(spec, CROSSPLANE_MANAGED_SPEC_KEYS);
}

export function statusSchema(): SchemaNode {
  return toStructural(zodToJsonSchema(asyncActorStatus, 'openapi-3.0'), 'status');
}

/** The version's schema as an XRD carries it: spec and status only, plus the root rules. */
export function xrdOpenApiSchema(): SchemaNode {
  return {
    description: DESCRIPTION,
    type: 'object',
    required: ['spec'],
    properties: { spec: specSchema(false), status: statusSchema() },
    'x-kubernetes-validations': ROOT_RULES.map((r) => ({ ...r })),
  };
}

/** The AsyncActor names, shared by the XRD and the CRD; only the categories differ. */
function names(categories: readonly string[]): SchemaNode {
  return { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: SINGULAR, shortNames: [...SHORT_NAMES], categories: [...categories] };
}

export function buildXrd(): SchemaNode {
  return {
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: { name: XRD_NAME },
    spec: {
      // Written out: the crossplane CLI reads XRDs as v1 and would assume the legacy cluster scope.
      scope: 'Namespaced',
      group: GROUP,
      names: names(CATEGORIES),
      // compositions/asyncactor-state-proxy.yaml, so an AsyncActor needs no compositionRef.
      defaultCompositionRef: { name: XRD_NAME },
      versions: [
        {
          name: VERSION,
          served: true,
          referenceable: true,
          additionalPrinterColumns: PRINTER_COLUMNS.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: xrdOpenApiSchema() },
        },
      ],
    },
  };
}

/** Crossplane's `status.conditions` (xcrd.CompositeResourceStatusProps). */
const CONDITIONS: SchemaNode = {
  description: 'Conditions of the resource.',
  type: 'array',
  items: {
    type: 'object',
    required: ['lastTransitionTime', 'reason', 'status', 'type'],
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time' },
      message: { type: 'string' },
      observedGeneration: { type: 'integer', format: 'int64' },
      reason: { type: 'string' },
      status: { type: 'string' },
      type: { type: 'string' },
    },
  },
  'x-kubernetes-list-map-keys': ['type'],
  'x-kubernetes-list-type': 'map',
};

/**
 * The CRD Crossplane derives from the XRD, for tools that take CRDs (kubeconform, crank beta
 * validate without Crossplane, a cluster without Crossplane for schema checks only).
 */
export function buildCrd(): SchemaNode {
  const spec = specSchema(true);
  const specProps = spec['properties'] as SchemaNode;
  specProps['crossplane'] = {
    description: 'Configures how Crossplane will reconcile this composite resource (managed by Crossplane).',
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const status = statusSchema();
  status['properties'] = { ...(status['properties'] as SchemaNode), conditions: CONDITIONS };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: XRD_NAME },
    spec: {
      group: GROUP,
      names: names([...CATEGORIES, CROSSPLANE_COMPOSITE_CATEGORY]),
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: [...PRINTER_COLUMNS, ...CROSSPLANE_PRINTER_COLUMNS].map((c) => ({ ...c })),
          schema: {
            openAPIV3Schema: {
              description: DESCRIPTION,
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: {
                  type: 'object',
                  properties: { name: { type: 'string', maxLength: XR_NAME_MAX_LENGTH } },
                },
                spec,
                status,
              },
              'x-kubernetes-validations': ROOT_RULES.map((r) => ({ ...r })),
            },
          },
          subresources: { status: {} },
        },
      ],
    },
  };
}

/** JSON Schema (draft-07) of a whole AsyncActor document, for yaml-language-server and ajv. */
export function buildDocumentJsonSchema(comment: string): SchemaNode {
  const { $schema, ...schema } = zodToJsonSchema(asyncActorDocument, 'draft-7');
  return {
    $schema: typeof $schema === 'string' ? $schema : 'http://json-schema.org/draft-07/schema#',
    $comment: comment,
    title: `${KIND} (${API_VERSION})`,
    description: DESCRIPTION,
    ...schema,
  };
}

export const INPUT_PLURAL = 'inputs';
export const INPUT_CRD_NAME = `${INPUT_PLURAL}.${INPUT_GROUP}`;

/** The step input CRD, as Crossplane function packages ship it under package/input/. */
export function buildInputCrd(): SchemaNode {
  const schema = toStructural(zodToJsonSchema(stepInput, 'openapi-3.0'), 'input');
  const props = schema['properties'] as SchemaNode;
  props['apiVersion'] = { description: 'APIVersion of this input: stateproxy.fn.asya.sh/v1alpha1.', type: 'string' };
  props['kind'] = { description: 'Kind of this input: Input.', type: 'string' };
  props['metadata'] = { type: 'object' };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: INPUT_CRD_NAME },
    spec: {
      group: INPUT_GROUP,
      names: {
        categories: ['crossplane'],
        kind: INPUT_KIND,
        listKind: `${INPUT_KIND}List`,
        plural: INPUT_PLURAL,
        singular: INPUT_KIND.toLowerCase(),
      },
      scope: 'Namespaced',
      versions: [
        {
          name: INPUT_VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              description:
                'Input of the asya state proxy function step: platform settings for every AsyncActor the Composition renders. All fields are optional.',
              ...schema,
            },
          },
        },
      ],
    },
  };
}
