/**
 * `sit daemon`'s service and its client: what other rooms may use.
 * @module
 */
export { DaemonService, DaemonStartError, type DaemonServiceOptions, type ServedIndex } from './service.ts';
export { DaemonReader, DaemonUnavailableError } from './reader.ts';
export { askDaemon, daemonDisabled, trustedSocket } from './client.ts';
export { socketPath } from './protocol.ts';
import type { Repository } from '../store/mod.ts';
import { DaemonService, DaemonStartError, type ServedIndex } from './service.ts';

/**
 * Starts the service inside `sit web`, over the server's own index: commands then read from it.
 * A failure (another daemon answers for the repository, the socket cannot be made) is told to
 * `onWarning` and leaves the server as it is.
 */
export async function startWebDaemon(
  repo: Repository,
  index: ServedIndex,
  options: { integrity: boolean; onChanged: (ids: string[]) => void; onWarning: (message: string) => void },
): Promise<DaemonService | undefined> {
  try {
    return await DaemonService.start(repo, { index, ...options });
  } catch (error) {
    if (!(error instanceof DaemonStartError)) throw error;
    options.onWarning(`not answering other commands: ${error.message}`);
    return undefined;
  }
}
