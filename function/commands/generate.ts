import type { Command } from 'commander';

// Placeholder until the generate command lands; registers nothing so the CLI still starts.
export function register(_program: Command): void {}
