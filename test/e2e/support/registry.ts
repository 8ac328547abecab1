/**
 * The e2e's OCI registry (test/e2e/registry/main.go, built by scripts/install-control-plane.sh as
 * `registry-<hash of its source>`): in memory, plain HTTP on a free 127.0.0.1 port. Packages are
 * pushed to it the way a user pushes them, with `crossplane xpkg push`.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from './kube.js';
import { start, type Started } from './processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/** The binary install-control-plane.sh built for this checkout's registry source. */
export function registryBinary(binDir: string): string {
  const hash = createHash('sha256').update(readFileSync(join(ROOT, 'test/e2e/registry/main.go'))).digest('hex').slice(0, 12);
  return join(binDir, `registry-${hash}`);
}

/** Starts the registry and resolves with its `127.0.0.1:PORT` once it says it is ready. */
export async function startRegistry(binDir: string, logDir: string): Promise<{ proc: Started; address: string }> {
  const proc = start('registry', registryBinary(binDir), [], logDir);
  const address = await waitFor('the e2e registry to print "ready"', async () => {
    if (proc.child.exitCode !== null) throw new Error(`registry exited with ${proc.child.exitCode}; see ${proc.logFile}`);
    return /^ready (127\.0\.0\.1:\d+)$/m.exec(readFileSync(proc.logFile, 'utf8'))?.[1];
  }, 30_000, 100);
  return { proc, address };
}

/** `crossplane xpkg push -f FILE REF`, as the README's install section does it. */
export async function pushPackage(crank: string, file: string, ref: string): Promise<void> {
  try {
    await run(crank, ['xpkg', 'push', '-f', file, ref], { timeout: 120_000 });
  } catch (e) {
    throw new Error(`crossplane xpkg push -f ${file} ${ref} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}
