import { Command } from 'commander';
import { register } from '../function/commands/generate.js';
const p = new Command(); register(p); await p.parseAsync(process.argv);
