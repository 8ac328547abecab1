import { Command } from 'commander';
import { register } from '../function/commands/validate.js';
const p = new Command(); p.exitOverride(); register(p); await p.parseAsync(process.argv);
