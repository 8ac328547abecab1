/**
 * A stand-in for "an earlier pipeline step" in the crossplane render tests: a tiny composition
 * function that adds a ConfigMap and, when its input asks for it, a base actor Deployment of its
 * own. The function-go-templating module is not served by this machine's Go proxy, so this plays
 * its part; the point of those tests is that our step keeps what came before it.
 */
import { startTestFunction } from './test-function.js';
import {
  Ready,
  type RunFunctionRequest,
  type RunFunctionResponse,
  to,
} from '@crossplane-org/function-sdk-typescript';

function compose(req: RunFunctionRequest): RunFunctionResponse {
  const rsp = to(req);
  const xr = req.observed?.composite?.resource ?? {};
  const name = String(xr['metadata']?.['name'] ?? 'actor');
  const desired = rsp.desired ?? { composite: undefined, resources: {} };
  desired.resources['actor-config'] = {
    resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config` }, data: { 'settings.json': '{"batch": 8}' } },
    connectionDetails: {},
    ready: Ready.READY_TRUE,
  };
  if (req.input?.['withDeployment'] === true) {
    desired.resources['deployment'] = {
      resource: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels: { 'rendered-by': 'earlier-step' } },
        spec: {
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              // Upstream's templates run every actor as one shared ServiceAccount per namespace.
              ...(typeof req.input?.['serviceAccountName'] === 'string' ? { serviceAccountName: req.input['serviceAccountName'] } : {}),
              containers: [
                { name: 'asya-runtime', image: 'example/runtime:1', env: [{ name: 'ASYA_HANDLER', value: 'handler.main' }] },
                { name: 'metrics-exporter', image: 'example/exporter:1' },
              ],
            },
          },
        },
      },
      connectionDetails: {},
      ready: Ready.READY_UNSPECIFIED,
    };
  }
  rsp.desired = desired;
  return rsp;
}

export const startEarlierStepFunction = () => startTestFunction(compose);
