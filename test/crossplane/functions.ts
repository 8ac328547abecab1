/**
 * The functions `crossplane render` talks to in these suites: ours, served from this process
 * (insecure, ephemeral port), and any test functions standing in for earlier pipeline steps,
 * declared in a temporary functions file with the Development-runtime annotations.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { bind, createServer, DEFAULT_MAX_RECV_BYTES, serverCredentials } from '../../function/server/server.js';
import { ROOT } from './crank.js';

export interface RunningFunction {
  readonly server: grpc.Server;
  readonly port: number;
}

export async function startOurFunction(): Promise<RunningFunction> {
  const server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES }, pino({ level: 'silent' }));
  const port = await bind(server, '127.0.0.1:0', serverCredentials({ insecure: true, tlsServerCertsDir: '' }));
  return { server, port };
}

export interface OtherFunction {
  readonly name: string;
  readonly port: number;
  readonly comment?: string;
}

/**
 * The checked-in examples/functions.yaml with its Development target pointed at `ourPort`, plus
 * a Function per `others`; returns the file's path.
 */
export function writeFunctionsFile(ourPort: number, others: readonly OtherFunction[] = [], dir = mkdtempSync(join(tmpdir(), 'asya-functions-'))): string {
  const template = readFileSync(join(ROOT, 'examples/functions.yaml'), 'utf8');
  if (!template.includes('127.0.0.1:9443')) throw new Error('examples/functions.yaml no longer targets 127.0.0.1:9443');
  const extra = others.map(
    (f) => `---
${f.comment === undefined ? '' : `# ${f.comment}\n`}apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: ${f.name}
  annotations:
    render.crossplane.io/runtime: Development
    render.crossplane.io/runtime-development-target: localhost:${f.port}
spec:
  package: example.test/${f.name}:v0
`,
  );
  const file = join(dir, 'functions.yaml');
  writeFileSync(file, [template.replaceAll('127.0.0.1:9443', `127.0.0.1:${ourPort}`), ...extra].join(''));
  return file;
}
