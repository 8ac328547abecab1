/**
 * Test-only: renders the Deployment of an AsyncActor document WITHOUT validating it, so that the
 * real API server can be asked whether a manifest `validate` refuses would have been refused by
 * the cluster too. Fills only the schema defaults the renderer reads; everything else is passed
 * through exactly as written. Never used by the function.
 */
import { DEFAULT_INPUT, type StepInput } from '../../function/input/schema.js';
import { renderDeployment } from '../../function/render/deployment.js';
import type { AsyncActor } from '../../function/schema/async-actor.js';

type Obj = Record<string, unknown>;

export function renderUnchecked(doc: Obj, input: StepInput = DEFAULT_INPUT): Obj {
  const spec = { ...(doc['spec'] as Obj) };
  spec['imagePullPolicy'] ??= 'IfNotPresent';
  spec['pythonExecutable'] ??= 'python3';
  spec['replicas'] ??= 1;
  spec['scaling'] = { enabled: true, ...(spec['scaling'] as Obj | undefined) };
  const actor = { ...doc, spec } as unknown as AsyncActor;
  return renderDeployment(actor, input) as unknown as Obj;
}
