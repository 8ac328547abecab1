/**
 * The module a pool worker runs when the server is not bundled (tsc's dist/ or tsx): it serves
 * the real computeAnswer. The bundle uses its own entry point instead (main.ts).
 */
import { computeAnswer } from './answer.js';
import { serveWorker } from './worker.js';

serveWorker(computeAnswer);
