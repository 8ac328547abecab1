import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('asya-state-proxy --version', () => {
  it('prints the version from package.json and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'function/cli.ts'), '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toBe(`${version}\n`);
  });
});
