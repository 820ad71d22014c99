/**
 * Worker-thread entry of the replay executor: reports ready, waits at the start gate (so every
 * worker starts at t0, after thread start-up), runs its streams, reports how many ops it ran.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit } from './shared-state.js';
import { runWorker } from './worker-loop.js';

// Expected failures are replayed too: skip building stack traces for every thrown fs error.
Error.stackTraceLimit = 0;

const init = workerData as WorkerInit;
parentPort?.postMessage({ ready: true });
while (Atomics.load(init.results.control, init.gate) === 0)
  Atomics.wait(init.results.control, init.gate, 0, 1000);
parentPort?.postMessage({ executed: runWorker(init) });
