/**
 * Module scripts: JavaScript commands a module ships as `cli/<command>.js`, run in the QuickJS
 * sandbox with a small host API (see docs/module-scripts.md).
 * @module
 */
export { ModuleScriptError, runModuleScript, SCRIPT_LIMITS, type ScriptInvocation } from './run.ts';
export { FIRE_AND_FORGET, ScriptApiError, ScriptHost, type HostOptions, type ScriptRecord } from './host.ts';
export { EditorError, MAX_INPUT_BYTES, processIo, ScriptFileError, type EditRequest, type ScriptIo } from './io.ts';
export type { AuthorProvider, ScriptEnvironment } from './environment.ts';
