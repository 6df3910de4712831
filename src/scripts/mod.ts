/**
 * Module scripts: JavaScript commands a module ships as `cli/<command>.js`, run in the QuickJS
 * sandbox with a small host API.
 * @module
 */
export { runModuleScript } from './run.ts';
