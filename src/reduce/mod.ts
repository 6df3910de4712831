/**
 * Reduction: the store's records, in generation order, through the sandboxed reducers, with a
 * persistent cache of item states.
 * @module
 */
export { Engine, type EngineOptions, type ReduceOneOptions, type State } from './engine.ts';
export { ItemIndex } from './item_index.ts';
export { loadReducers, ReducerNotFoundError, type LoadedReducers, type LoadReducersOptions } from './reducers.ts';
export { ReductionCache, cacheFile, cacheRoot, recordSetDigest, type CacheEntry, type CacheKey } from './cache.ts';
