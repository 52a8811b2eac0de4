/**
 * The program every thread-pool worker runs, as source text for `new Worker(code, { eval: true })`, so that
 * it needs no file of its own next to the bundle. It loads each task's module, runs the named export,
 * posts the outcome on the result port and wakes the loop through the pool's async token.
 */
export const WORKER_SOURCE = String.raw`
const { workerData, parentPort } = require('node:worker_threads');
const { results, token } = workerData;

function notify() {
  if (token.shared) {
    const word = new Int32Array(token.shared);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
    return;
  }
  // token.module is an absolute path (Async.token resolves it), so plain require finds it.
  const mod = require(token.module);
  (mod.backend || mod.default).notify(token);
}

const modules = new Map();
async function load(specifier) {
  let mod = modules.get(specifier);
  if (!mod) {
    mod = await import(specifier);
    modules.set(specifier, mod);
  }
  return mod;
}

parentPort.on('message', async (job) => {
  let reply;
  try {
    const mod = await load(job.module);
    const fn = job.exportName ? mod[job.exportName] : (mod.default ?? mod);
    if (typeof fn !== 'function') throw new TypeError(job.module + ' has no function export ' + (job.exportName || 'default'));
    reply = { id: job.id, ok: true, value: await fn(...job.args) };
  } catch (error) {
    reply = { id: job.id, ok: false, error };
  }
  try {
    results.postMessage(reply);
  } catch (error) {
    results.postMessage({ id: job.id, ok: false, error: new Error('the task result could not be cloned: ' + error.message) });
  }
  notify();
});
`;
