/**
 * A pool worker for tests: answers like the real one, except that a request whose bytes are
 * exactly "crash" throws (an uncaught exception kills the worker thread) and "exit" exits it.
 */
import { computeAnswer } from '../../function/server/answer.js';
import { serveWorker } from '../../function/server/worker.js';

serveWorker((bytes) => {
  const text = Buffer.from(bytes).toString('latin1');
  if (text === 'crash') throw new Error('boom (test worker)');
  if (text === 'exit') process.exit(7);
  return computeAnswer(bytes);
});
