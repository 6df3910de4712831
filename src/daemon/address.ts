/**
 * Where the socket of a repository's daemon lives: `daemon.sock` in the repository's cache
 * directory (`cacheFile` in src/reduce/cache.ts names the same directory; a test keeps them
 * equal). Kept apart, with nothing but Node's own modules, so that a command can find the socket
 * before it loads anything else.
 * @module
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The socket of the daemon for the repository at `root`, in a directory only its user may enter. */
export function socketPath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // a repository that cannot be resolved still gets a stable name
  }
  const repository = createHash('sha256').update(real).digest('hex').slice(0, 24);
  let cache: string;
  if (env.SIT_CACHE_DIR) cache = env.SIT_CACHE_DIR;
  else if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) cache = join(env.XDG_CACHE_HOME, 'sit');
  else cache = join(homedir(), '.cache', 'sit');
  return join(cache, 'repositories', repository, 'daemon.sock');
}
