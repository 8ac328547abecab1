/**
 * Our function as one more step after an upstream-style go-templating step, rendered by the real
 * Crossplane CLI with both functions running, compared with reviewed golden files under
 * test/golden/crossplane-render-wrapped/.
 *
 * The first step is a STAND-IN (test/support/base-actor-function.ts) for function-go-templating:
 * this machine's Go module proxy refuses every version of
 * github.com/crossplane-contrib/function-go-templating, so it cannot be built here. To keep the
 * stand-in honest, the last suite executes the shipped templates (compositions/upstream-chain-*.yaml)
 * with Go's text/template, the engine function-go-templating runs, and checks that they render
 * what the stand-in emits.
 *
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/crossplane/wrapped.test.ts`,
 * then review the diff like code.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { type BaseActorOptions, baseActorResource, startBaseActorFunction } from '../support/base-actor-function.js';
import { describeWithCrank, ROOT, run, expectGoldenRender, UPDATE_GOLDEN } from './crank.js';
import { startOurFunction, writeFunctionsFile } from './functions.js';

const GOLDEN = join(ROOT, 'test/golden/crossplane-render-wrapped');
/** Every upstream spec field (contract.md §4); mounts weights (S3, buffered) and cache (Redis, passthrough). */
const XR = 'test/corpus/valid/upstream-style.yaml';
const COMPOSITIONS = 'test/crossplane/compositions';

type Doc = Record<string, any>;
const docs = (yaml: string): Doc[] => parseAllDocuments(yaml).map((d) => d.toJS() as Doc);
const load = (path: string): Doc => parse(readFileSync(join(ROOT, path), 'utf8')) as Doc;
const byKey = (all: Doc[]) => new Map(all.map((d) => [d['metadata']?.['annotations']?.['crossplane.io/composition-resource-name'], d]));
const names = (list: unknown): unknown[] => (Array.isArray(list) ? list.map((c: Doc) => c['name']) : []);

const cases = [
  { name: 'wrapped', composition: `${COMPOSITIONS}/upstream-wrapped.yaml`, shipped: 'compositions/upstream-chain-wrapped.yaml' },
  { name: 'unwrapped', composition: `${COMPOSITIONS}/upstream-unwrapped.yaml`, shipped: 'compositions/upstream-chain-unwrapped.yaml' },
  // Upstream's cluster-scoped v1alpha2 Object (legacy XAsyncActor): the function accepts every Object version.
  { name: 'wrapped-cluster-scoped', composition: `${COMPOSITIONS}/upstream-wrapped-cluster-scoped.yaml` },
  { name: 'wrapped-containers', composition: `${COMPOSITIONS}/upstream-wrapped-containers.yaml` },
] as const;

describe('the test compositions', () => {
  it.each(cases.filter((c) => 'shipped' in c).map((c) => [c.name, c] as const))('%s runs the same state-proxy step as the shipped composition', (_n, c) => {
    const ours = (path: string) => (load(path)['spec']['pipeline'] as Doc[]).find((s) => s['functionRef']['name'] === 'function-asya-state-proxy');
    expect(ours(c.composition)).toBeDefined();
    expect(ours(c.composition)).toEqual(ours((c as { shipped: string }).shipped));
  });
});

describeWithCrank('crossplane render of an upstream-style chain (real CLI, two functions)', (crank) => {
  let ours: grpc.Server;
  let base: grpc.Server;
  let dir: string;
  let functionsFile: string;

  beforeAll(async () => {
    const started = await Promise.all([startOurFunction(), startBaseActorFunction()]);
    ours = started[0].server;
    base = started[1].server;
    dir = mkdtempSync(join(tmpdir(), 'asya-render-wrapped-'));
    functionsFile = writeFunctionsFile(
      started[0].port,
      [{ name: 'function-base-actor', port: started[1].port, comment: 'Stands in for function-go-templating (see test/support/base-actor-function.ts).' }],
      dir,
    );
    if (UPDATE_GOLDEN) mkdirSync(GOLDEN, { recursive: true });
  });
  afterAll(() => {
    ours?.forceShutdown();
    base?.forceShutdown();
  });

  const render = (composition: string, ...extra: string[]) => run(crank, ['render', '-r', XR, composition, functionsFile, ...extra]);

  /** A copy of a test composition whose first step returns `resource` verbatim. */
  function feeding(composition: string, resource: Doc): string {
    const doc = load(composition);
    doc['spec']['pipeline'][0]['input'] = { apiVersion: 'test.asya.sh/v1alpha1', kind: 'BaseActor', resource };
    const file = join(dir, `feed-${doc['metadata']['name']}.yaml`);
    writeFileSync(file, stringify(doc));
    return file;
  }

  it.each(cases.map((c) => [c.name, c] as const))('%s matches its golden file', async (_n, c) => {
    const out = await render(c.composition);
    expectGoldenRender(out, join(GOLDEN, `${c.name}.yaml`));
  });

  it("replaces upstream's old state proxy inside the Object and keeps the wrapper", async () => {
    const out = byKey(docs((await render(cases[0].composition)).stdout));
    const object = out.get('deployment');
    expect(object?.['apiVersion']).toBe('kubernetes.m.crossplane.io/v1alpha1');
    expect(object?.['kind']).toBe('Object');
    expect(object?.['spec']['watch']).toBe(true);
    expect(object?.['spec']['providerConfigRef']).toEqual({ kind: 'ClusterProviderConfig', name: 'default' });
    const pod = object?.['spec']['forProvider']['manifest']['spec']['template']['spec'];
    expect(names(pod['containers'])).toEqual(['asya-runtime', 'asya-sidecar', 'metrics-exporter']);
    expect(names(pod['initContainers'])).toEqual(['warmup', 'asya-state-proxy-weights', 'asya-state-proxy-cache']);
    expect(names(pod['volumes']).filter((n) => n === 'state-sockets')).toHaveLength(1);
    const env = names(pod['containers'][0]['env']);
    expect(env.filter((n) => n === 'ASYA_STATE_PROXY_MOUNTS')).toHaveLength(1);
    expect(env.at(-1)).toBe('ASYA_STATE_PROXY_MOUNTS');
  });

  it.each(cases.slice(0, 2).map((c) => [c.name, c] as const))('%s: re-rendering its own output is byte-identical (no duplication, no churn)', async (_n, c) => {
    const first = await render(c.composition);
    expect(first.code).toBe(0);
    const previous = byKey(docs(first.stdout)).get('deployment');
    expect(previous).toBeDefined();
    const again = await render(feeding(c.composition, previous as Doc));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    // And once more from the second output, for good measure.
    const third = await render(feeding(c.composition, byKey(docs(again.stdout)).get('deployment') as Doc));
    expect(third.stdout).toBe(first.stdout);
  });

  it("accepts upstream's legacy XAsyncActor composite (v1 XRD with a claim) and renders the same pod", async () => {
    const xr = load(XR);
    const legacy = {
      ...xr,
      kind: 'XAsyncActor',
      metadata: { ...xr['metadata'], name: `${xr['metadata']['name']}-x7k2p` },
      spec: {
        actor: xr['spec']['actor'] ?? xr['metadata']['name'],
        ...xr['spec'],
        claimRef: { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', name: xr['metadata']['name'], namespace: 'default' },
        compositionRef: { name: 'asyncactors' },
        resourceRefs: [],
      },
    };
    // Upstream's legacy composite composes upstream's cluster-scoped Object.
    const composition = load(`${COMPOSITIONS}/upstream-wrapped-cluster-scoped.yaml`);
    composition['spec']['compositeTypeRef'] = { apiVersion: 'asya.sh/v1alpha1', kind: 'XAsyncActor' };
    const xrFile = join(dir, 'legacy-xr.yaml');
    const compositionFile = join(dir, 'legacy-composition.yaml');
    writeFileSync(xrFile, stringify(legacy));
    writeFileSync(compositionFile, stringify(composition));
    const out = await run(crank, ['render', '-r', xrFile, compositionFile, functionsFile]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const pod = (all: Doc[]) => byKey(all).get('deployment')?.['spec']['forProvider']['manifest']['spec']['template'];
    expect(pod(docs(out.stdout))).toEqual(pod(docs((await render(cases[0].composition)).stdout)));
  });

  it('fails a wrapped Deployment without the runtime container with a FATAL naming the field', async () => {
    const out = await render(`${COMPOSITIONS}/upstream-wrapped-no-runtime.yaml`);
    expect(out.code).not.toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('returned a fatal result');
    expect(out.stderr).toContain('desired.resources.deployment.spec.forProvider.manifest.spec.template.spec.containers');
    expect(out.stderr).toContain('no container named "asya-runtime" (input.runtimeContainerName)');
  });

  it('marks the Object ready only when the Deployment it reports is rolled out', async () => {
    const rendered = byKey(docs((await render(cases[0].composition)).stdout)).get('deployment') as Doc;
    const manifest = rendered['spec']['forProvider']['manifest'];
    const observe = async (deploymentStatus: Doc, objectConditions: Doc[]) => {
      const observedDir = mkdtempSync(join(dir, 'observed-'));
      const live = { ...manifest, metadata: { ...manifest['metadata'], generation: 2 }, status: deploymentStatus };
      writeFileSync(join(observedDir, 'object.yaml'), stringify({ ...rendered, status: { atProvider: { manifest: live }, conditions: objectConditions } }));
      const out = await render(cases[0].composition, '-o', observedDir);
      expect(out.code).toBe(0);
      const xr = docs(out.stdout)[0] as Doc;
      return [xr['status']['conditions'].find((c: Doc) => c['type'] === 'Ready')['status'], xr['status']['stateProxy']['ready']];
    };
    const conditions = (ready: string) => [
      { type: 'Ready', status: ready, reason: 'Available', lastTransitionTime: '2024-01-01T00:00:00Z' },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ];
    const available = [{ type: 'Available', status: 'True' }];
    expect(await observe({ observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: available }, conditions('True'))).toEqual(['True', true]);
    // provider-kubernetes' default readiness policy says Ready as soon as the Deployment exists.
    expect(await observe({ observedGeneration: 1, replicas: 1, updatedReplicas: 0, availableReplicas: 1, conditions: available }, conditions('True'))).toEqual(['False', false]);
  });
});

/**
 * The shipped go-templates, executed by Go's text/template with the sprig functions they call
 * (default, quote, toJson, hasPrefix, hasKey) re-implemented to sprig's semantics: the sprig module
 * is not in this machine's Go module cache, and function-go-templating cannot be built here. Parse
 * errors fail the suite, so it also checks the template syntax.
 */
const GO_HARNESS = String.raw`package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"text/template"
)

func empty(v interface{}) bool {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return true
	}
	switch rv.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() == 0
	case reflect.Bool:
		return !rv.Bool()
	case reflect.Float32, reflect.Float64:
		return rv.Float() == 0
	case reflect.Int, reflect.Int64:
		return rv.Int() == 0
	case reflect.Ptr, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func strval(v interface{}) string {
	switch v := v.(type) {
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprintf("%v", v)
	}
}

var funcs = template.FuncMap{
	"default": func(d interface{}, given ...interface{}) interface{} {
		if len(given) == 0 || empty(given[0]) {
			return d
		}
		return given[0]
	},
	"quote": func(str ...interface{}) string {
		out := make([]string, 0, len(str))
		for _, s := range str {
			if s != nil {
				out = append(out, fmt.Sprintf("%q", strval(s)))
			}
		}
		return strings.Join(out, " ")
	},
	"toJson": func(v interface{}) string {
		data, _ := json.Marshal(v)
		return string(data)
	},
	"hasPrefix": func(prefix, s string) bool { return strings.HasPrefix(s, prefix) },
	"hasKey": func(d map[string]interface{}, key string) bool {
		_, ok := d[key]
		return ok
	},
}

// Usage: harness <template> <xr.json>...; prints one JSON array of rendered texts.
func main() {
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	tmpl, err := template.New("manifests").Funcs(funcs).Parse(string(src))
	if err != nil {
		fmt.Fprintln(os.Stderr, "parse:", err)
		os.Exit(2)
	}
	var out []string
	for _, path := range os.Args[2:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		var xr map[string]interface{}
		if err := json.Unmarshal(raw, &xr); err != nil {
			panic(err)
		}
		data := map[string]interface{}{"observed": map[string]interface{}{"composite": map[string]interface{}{"resource": xr}}}
		var b strings.Builder
		if err := tmpl.Execute(&b, data); err != nil {
			fmt.Fprintln(os.Stderr, "execute:", err)
			os.Exit(3)
		}
		out = append(out, b.String())
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What Crossplane gets from function-go-templating: the name annotation is consumed by the function. */
function withoutNameAnnotation(resource: Doc): Doc {
  const annotations = { ...(resource['metadata']?.['annotations'] ?? {}) };
  delete annotations['gotemplating.fn.crossplane.io/composition-resource-name'];
  const { annotations: _dropped, ...rest } = resource['metadata'] ?? {};
  const metadata = Object.keys(annotations).length > 0 ? { ...rest, annotations } : rest;
  const { metadata: _old, ...out } = resource;
  return Object.keys(metadata).length > 0 ? { ...out, metadata } : out;
}

const templateCases: ReadonlyArray<readonly [string, string, BaseActorOptions]> = [
  ['wrapped', 'compositions/upstream-chain-wrapped.yaml', { wrap: 'kubernetes.m.crossplane.io/v1alpha1', providerConfigKind: 'ClusterProviderConfig', legacyStateProxy: true }],
  ['unwrapped', 'compositions/upstream-chain-unwrapped.yaml', {}],
];

const templateXrs = [
  XR,
  ...readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml') && f !== 'functions.yaml')
    .sort()
    .map((f) => `examples/${f}`),
  'test/corpus/valid/minimal.yaml',
  'test/corpus/valid/no-state-proxy.yaml',
];

(goAvailable() ? describe : describe.skip)('the shipped go-templates render what the stand-in emits (Go text/template)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'asya-gotemplate-'));
    writeFileSync(join(dir, 'main.go'), GO_HARNESS);
    templateXrs.forEach((xr, i) => writeFileSync(join(dir, `xr-${i}.json`), JSON.stringify(load(xr))));
  });

  it.each(templateCases)('%s (%s)', (_n, composition, options) => {
    const step = (load(composition)['spec']['pipeline'] as Doc[])[0] as Doc;
    expect(step['functionRef']['name']).toBe('function-go-templating');
    expect(step['input']).toMatchObject({ apiVersion: 'gotemplating.fn.crossplane.io/v1beta1', kind: 'GoTemplate', source: 'Inline' });
    const templateFile = join(dir, `${_n}.tmpl`);
    writeFileSync(templateFile, step['input']['inline']['template']);
    const stdout = execFileSync('go', ['run', join(dir, 'main.go'), templateFile, ...templateXrs.map((_x, i) => join(dir, `xr-${i}.json`))], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '' },
      timeout: 120_000,
    });
    const rendered = JSON.parse(stdout) as string[];
    templateXrs.forEach((xr, i) => {
      const fromTemplate = parseAllDocuments(rendered[i] as string).map((d) => d.toJS() as Doc);
      expect(fromTemplate, xr).toHaveLength(1);
      expect(fromTemplate[0]!['metadata']['annotations']['gotemplating.fn.crossplane.io/composition-resource-name'], xr).toBe('deployment');
      expect(withoutNameAnnotation(fromTemplate[0]!), xr).toEqual(baseActorResource(load(xr), options));
    });
  }, 180_000);
});
