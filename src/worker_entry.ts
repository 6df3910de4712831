/**
 * Starting a worker thread from a sibling module, both from the compiled JavaScript and from the
 * TypeScript sources under tsx (Node 20 does not apply `--import` hooks to a worker's entry module,
 * so a small bootstrap registers tsx first).
 * @module
 */

/** What `new Worker(script, { eval })` needs. */
export interface WorkerEntry {
  script: string | URL;
  eval: boolean;
}

/**
 * The entry of the worker module `name` (without extension) beside the module at `callerUrl`
 * (its `import.meta.url`): `name.js` when compiled, a tsx bootstrap for `name.ts` otherwise.
 */
export function workerEntry(callerUrl: string, name: string): WorkerEntry {
  if (!callerUrl.endsWith('.ts')) return { script: new URL(`./${name}.js`, callerUrl), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const script = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, eval: true };
}
