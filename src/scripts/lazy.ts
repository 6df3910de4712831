/**
 * Modules the host of module scripts loads only when a script needs them: JMESPath (a large
 * library) and the search over whole states, which a command such as `sit issue show` never uses.
 * `…Now()` gives the module once loaded (undefined before); `load…()` loads it.
 * @module
 */
type JmesPath = typeof import('../jmespath.ts');
type StateSearch = typeof import('../query/search.ts');

let jmespath: JmesPath | undefined;
let jmespathLoading: Promise<JmesPath> | undefined;
let search: StateSearch | undefined;
let searchLoading: Promise<StateSearch> | undefined;

/** The JMESPath module, if loaded. */
export function jmespathNow(): JmesPath | undefined {
  return jmespath;
}

/** Loads the JMESPath module. */
export function loadJmespath(): Promise<JmesPath> {
  jmespathLoading ??= import('../jmespath.ts').then((module) => (jmespath = module));
  return jmespathLoading;
}

/** The search over whole states (with its JMESPath filter), if loaded. */
export function stateSearchNow(): StateSearch | undefined {
  return search;
}

/** Loads the search over whole states. */
export function loadStateSearch(): Promise<StateSearch> {
  searchLoading ??= Promise.all([import('../query/search.ts'), loadJmespath()]).then(([module]) => (search = module));
  return searchLoading;
}
