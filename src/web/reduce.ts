/**
 * Whole-repository reduction for `/api/reduce/{query}` and `/api/{roots}/reduce/{query}`. The
 * `reducers=` parameter may only name reducer directories or files inside `<repo>/reducers/`:
 * a web request never makes the server read a file elsewhere.
 * @module
 */
import { join } from 'node:path';
import { SitError } from '../errors.ts';
import { Engine, loadReducers } from '../reduce/mod.ts';
import type { Repository } from '../store/repository.ts';
import type { ItemSource, ItemState, RepositoryReducer } from './source.ts';

/** A `reducers=` name that is not a plain name inside `<repo>/reducers/`. */
export class ReducerNameError extends SitError {}

/** The reducer behind `/api/reduce`, using the index's engine (or a new one for `reducers=`). */
export function repositoryReducer(repo: Repository, index: ItemSource): RepositoryReducer {
  return async (options) => {
    const state = options.state as ItemState | undefined;
    const one = {
      ...(state === undefined ? {} : { state }),
      ...(options.roots === undefined ? {} : { roots: options.roots }),
    };
    if (options.reducers === undefined) {
      const engine = index.engine ?? new Engine(repo);
      try {
        return await engine.reduceRepository(one);
      } finally {
        if (index.engine === undefined) await (engine as Engine).close();
      }
    }
    for (const name of options.reducers) {
      if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
        throw new ReducerNameError(
          `reducer ${JSON.stringify(name)} must be a plain name of ${join(repo.root, 'reducers')}`,
        );
      }
    }
    const reducers = loadReducers(repo, { sources: options.reducers, cwd: join(repo.root, 'reducers') });
    const engine = new Engine(repo, { reducers, cache: false });
    try {
      return await engine.reduceRepository(one);
    } finally {
      await engine.close();
    }
  };
}
