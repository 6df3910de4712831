/**
 * The inbox: commits are accepted only when each one adds complete, intact records under
 * `.sit/records/` and item link files under `.sit/items/` that name records which exist, and
 * nothing else: no file modified, deleted, renamed or added anywhere else (not `config.json`,
 * modules, `cli/`, `web/`, nor code). Every violation is reported as one line: the commit, the
 * path and why. The same check serves a push (`pre-receive`), a pull request (CI) and a mailed
 * patch series (`sit inbox apply`).
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isBase32,
  isIntact,
  isValidItemId,
  itemLinkText,
  prepareHashing,
  splitPath,
  verifySignature,
} from '../store/mod.ts';
import { GitError } from './errors.ts';
import { blobOid, MODE_EXECUTABLE, MODE_FILE, MODE_GITLINK, MODE_SYMLINK, MODE_TREE, utf8Name } from './objects.ts';
import type { GitRepository } from './repository.ts';
import { Revision } from './revision.ts';
import { git } from './run.ts';

/** One reason to refuse. */
export interface Violation {
  commit: string;
  /** The path in the commit's tree (`-` when the whole commit is concerned). */
  path: string;
  why: string;
}

/** What the check found. */
export interface InboxReport {
  commits: number;
  records: number;
  links: number;
  violations: Violation[];
}

/** What {@link checkCommits} requires besides new records. */
export interface InboxOptions {
  /** Every commit must carry a good GnuPG signature (`git log %G?` is G or U). */
  commitSignatures?: boolean;
  /** Every new record must carry a `.signature` that GnuPG verifies. */
  recordSignatures?: boolean;
  /** The GnuPG program for record signatures. */
  gnupg?: string | undefined;
}

/** One change of a commit, from `git diff-tree --raw`. */
interface Change {
  path: string;
  /** Its mode in the commit. */
  mode: number;
  oid: string;
  /** `A` for an addition (by every parent of a merge), else what else happened. */
  status: string;
}

const WHY_STATUS: Record<string, string> = {
  M: 'modifies an existing file; only new records are accepted',
  D: 'deletes a file; only new records are accepted',
  T: 'changes the type of a file; only new records are accepted',
  R: 'renames a file; only new records are accepted',
  C: 'copies a file; only new records are accepted',
};

function modeProblem(mode: number): string | undefined {
  if (mode === MODE_FILE) return undefined;
  if (mode === MODE_EXECUTABLE) return 'has the executable bit set';
  if (mode === MODE_SYMLINK) return 'is a symbolic link';
  if (mode === MODE_GITLINK) return 'is a submodule';
  return `has the unusual mode ${mode.toString(8)}`;
}

/** Parses `git diff-tree -z --raw` output (plain or combined with `-c`). */
function parseRaw(out: Buffer): Change[] {
  const fields = out.toString('latin1').split('\0');
  const changes: Change[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = fields[i]!;
    const path = fields[i + 1]!;
    const colons = /^:+/.exec(meta)?.[0].length ?? 0;
    if (colons === 0) continue;
    const parts = meta.slice(colons).split(' ');
    // `colons` parents: their modes, the result's mode, their oids, the result's oid, the statuses.
    const mode = Number.parseInt(parts[colons]!, 8);
    const oid = parts[2 * colons + 1]!;
    const statuses = parts[2 * colons + 2] ?? '';
    const status = [...statuses].every((s) => s === 'A') ? 'A' : ([...statuses].find((s) => s !== 'A') ?? '?');
    changes.push({ path, mode, oid, status: status.charAt(0) });
  }
  return changes;
}

/** The commits of `revisions` (arguments of `git rev-list`), oldest first, with their parents. */
async function commitsOf(
  repository: GitRepository,
  revisions: readonly string[],
): Promise<Array<{ commit: string; parents: string[] }>> {
  const out = await git(['rev-list', '--reverse', '--topo-order', '--parents', ...revisions], repository.gitOptions());
  return out.stdout
    .toString('latin1')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [commit, ...parents] = line.split(' ');
      return { commit: commit!, parents };
    });
}

/** The signature letters (`%G?`) of `commits`. */
async function signatures(repository: GitRepository, commits: readonly string[]): Promise<Map<string, string>> {
  if (commits.length === 0) return new Map();
  const out = await git(['log', '--no-walk=unsorted', '--format=%H %G?', ...commits], repository.gitOptions());
  const found = new Map<string, string>();
  for (const line of out.stdout.toString('latin1').split('\n')) {
    const [commit, letter] = line.split(' ');
    if (commit !== undefined && letter !== undefined) found.set(commit, letter);
  }
  return found;
}

const WHY_SIGNATURE: Record<string, string> = {
  N: 'the commit is not signed',
  B: 'the commit has a bad signature',
  E: 'the commit signature cannot be checked (is the key in the keyring?)',
  X: 'the commit signature has expired',
  Y: 'the commit was signed by an expired key',
  R: 'the commit was signed by a revoked key',
};

/**
 * Checks the commits that `revisions` selects (e.g. `['origin/main..FETCH_HEAD']`, or
 * `[NEW, '--not', '--all']` for a new branch): each must only add complete, intact records and
 * item links naming records that exist, under the SIT directory of `repository`.
 */
export async function checkCommits(
  repository: GitRepository,
  revisions: readonly string[],
  options: InboxOptions = {},
): Promise<InboxReport> {
  await prepareHashing();
  const commits = await commitsOf(repository, revisions);
  const report: InboxReport = { commits: commits.length, records: 0, links: 0, violations: [] };
  const letters =
    options.commitSignatures === true
      ? await signatures(
          repository,
          commits.map((c) => c.commit),
        )
      : new Map<string, string>();
  const sit = repository.sitPath === '' ? [] : repository.sitPath.split('/');
  const show = (parts: readonly string[]): string => utf8Name(parts.join('/'));
  for (const { commit, parents } of commits) {
    const refuse = (path: string, why: string): void => {
      report.violations.push({ commit, path, why });
    };
    if (options.commitSignatures === true) {
      const letter = letters.get(commit) ?? 'N';
      if (letter !== 'G' && letter !== 'U')
        refuse('-', WHY_SIGNATURE[letter] ?? `the commit signature is not good (${letter})`);
    }
    const args =
      parents.length === 0
        ? ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--root', commit]
        : parents.length === 1
          ? ['diff-tree', '-r', '-z', '--raw', '--no-renames', parents[0]!, commit]
          : ['diff-tree', '-r', '-z', '--raw', '--no-renames', '-c', commit];
    const changes = parseRaw((await git(args, repository.gitOptions())).stdout);
    const revision = await Revision.open(repository, commit);
    const before = await Promise.all(parents.map((parent) => Revision.open(repository, parent)));
    const records = new Map<string, string>();
    const links: Array<{ path: string; item: string; hash: string; oid: string }> = [];
    for (const change of changes) {
      const parts = change.path.split('/');
      const inside = parts.length > sit.length && sit.every((part, i) => parts[i] === part);
      const rest = inside ? parts.slice(sit.length) : [];
      if (change.status !== 'A') {
        refuse(
          show(parts),
          WHY_STATUS[change.status] ?? `changes a file (${change.status}); only new records are accepted`,
        );
        continue;
      }
      if (!inside || (rest[0] !== 'records' && rest[0] !== 'items')) {
        refuse(
          show(parts),
          `is outside ${repository.sitPath === '' ? '' : `${repository.sitPath}/`}records/ and items/; only new records and item links are accepted`,
        );
        continue;
      }
      const modeWhy = modeProblem(change.mode);
      if (modeWhy !== undefined) {
        refuse(show(parts), modeWhy);
        continue;
      }
      if (rest[0] === 'records') {
        const depth = revision.recordDepth;
        const hash = rest[depth];
        if (
          rest.length < depth + 2 ||
          hash === undefined ||
          !isBase32(hash) ||
          rest.slice(1, depth + 1).join('/') !== splitPath(hash)
        ) {
          refuse(show(parts), 'is not inside a record directory records/<split path of its hash>/<HASH>/');
          continue;
        }
        if (!records.has(hash)) records.set(hash, show([...sit, ...rest.slice(0, depth + 1)]));
      } else {
        const item = utf8Name(rest[1] ?? '');
        const hash = rest[2] ?? '';
        if (rest.length !== 3 || !isValidItemId(item) || !isBase32(hash)) {
          refuse(show(parts), 'is not an item link items/<ITEM>/<HASH>');
          continue;
        }
        links.push({ path: show(parts), item, hash, oid: change.oid });
      }
    }
    if ((records.size > 0 || links.length > 0) && !revision.exists) {
      refuse(
        repository.sitPath || '.',
        revision.configProblem ?? 'the commit has no SIT repository (config.json) to add records to',
      );
      continue;
    }
    for (const [hash, path] of records) {
      const where = ['records', ...splitPath(hash).split('/')];
      const earlier = await Promise.all(before.map((b) => b.entryAt(where)));
      if (earlier.some((e) => e !== undefined)) {
        refuse(path, `adds files to record ${hash}, which existed before; records never change`);
        continue;
      }
      const entry = await revision.entryAt(where);
      if (entry === undefined || entry === 'missing' || entry.mode !== MODE_TREE) {
        refuse(path, 'is not a record directory');
        continue;
      }
      const read = await revision.readRecord({ hash, tree: entry.oid });
      if (read === undefined || read.missing || read.record.problems.length > 0) {
        refuse(path, `is not a complete record (${read?.record.problems[0] ?? 'objects are missing'})`);
        continue;
      }
      if (!isIntact(read.record, revision.hashingAlgorithm)) {
        refuse(path, `is not intact: its files do not hash to ${hash} (incomplete or altered)`);
        continue;
      }
      if (options.recordSignatures === true) {
        const why = recordSignatureProblem(read.record.files, options.gnupg, revision);
        if (why !== undefined) {
          refuse(path, why);
          continue;
        }
      }
      report.records++;
    }
    for (const link of links) {
      if (link.oid !== blobOid(itemLinkText(link.hash), repository.format)) {
        refuse(link.path, `does not hold the link text ${itemLinkText(link.hash)}`);
        continue;
      }
      const entry = await revision.entryAt(['records', ...splitPath(link.hash).split('/')]);
      if (entry === undefined || entry === 'missing' || entry.mode !== MODE_TREE) {
        refuse(link.path, `names record ${link.hash}, which is not in the commit`);
        continue;
      }
      report.links++;
    }
  }
  return report;
}

/** Why a record's signature does not verify, or undefined when it does. */
function recordSignatureProblem(
  files: ReadonlyArray<{ name: string; data: Uint8Array }>,
  gnupg: string | undefined,
  revision: Revision,
): string | undefined {
  const signature = files.find((f) => f.name === '.signature');
  if (signature === undefined) return 'the record is not signed (no .signature)';
  const dir = mkdtempSync(join(tmpdir(), 'sit-inbox-'));
  try {
    writeFileSync(join(dir, '.signature'), signature.data);
    const result = verifySignature(dir, files, { gnupg, algorithm: revision.hashingAlgorithm });
    return result.success
      ? undefined
      : `the record's signature does not verify (${
          result.output
            .split('\n')
            .find((l) => l.trim() !== '')
            ?.trim() ?? 'GnuPG refused it'
        })`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `pre-receive` hook that runs `sit inbox check` on every pushed ref. */
export function preReceiveHook(options: { sit: string; sitPath: string; requireSignature: boolean }): string {
  const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
  const flags = [
    `--sit-path ${quote(options.sitPath === '' ? '.' : options.sitPath)}`,
    ...(options.requireSignature ? ['--require-signature'] : []),
  ].join(' ');
  return `#!/bin/sh
# pre-receive hook written by \`sit inbox hook\`: a push is accepted only when every new commit
# adds complete, intact SIT records (and item links naming them) and nothing else. Install it as
# hooks/pre-receive (executable) in the repository that receives pushes. SIT=/path/to/sit overrides
# the sit command below.
SIT=\${SIT:-${quote(options.sit)}}
status=0
while read -r old new ref; do
  case $new in
    *[!0]*) ;;
    *) echo "sit inbox: $ref: deleting a ref is not accepted" >&2; status=1; continue ;;
  esac
  case $old in
    *[!0]*)
      if ! git merge-base --is-ancestor "$old" "$new"; then
        echo "sit inbox: $ref: not a fast-forward; only new records are accepted" >&2
        status=1
        continue
      fi
      "$SIT" inbox check ${flags} "$old..$new" || status=1 ;;
    *)
      "$SIT" inbox check ${flags} --new "$new" || status=1 ;;
  esac
done
exit $status
`;
}

/** A temporary worktree at `base`, for applying a series without touching the user's. */
export async function withTemporaryWorktree<T>(
  repository: GitRepository,
  base: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const parent = mkdtempSync(join(tmpdir(), 'sit-inbox-'));
  const dir = join(parent, 'worktree');
  await git(['worktree', 'add', '--quiet', '--detach', dir, base], repository.gitOptions());
  try {
    return await fn(dir);
  } finally {
    await git(['worktree', 'remove', '--force', dir], { ...repository.gitOptions(), okStatus: [128] }).catch(
      () => undefined,
    );
    rmSync(parent, { recursive: true, force: true });
    await git(['worktree', 'prune'], repository.gitOptions()).catch(() => undefined);
  }
}

/** Applies the mailbox `mbox` with `git am` in `dir`; resolves to git's complaint when it does not apply. */
export async function applyMailbox(dir: string, mbox: string): Promise<string | undefined> {
  const result = await git(['am', '--quiet', '--', mbox], { cwd: dir, okStatus: [1, 128] });
  if (result.status === 0) return undefined;
  await git(['am', '--abort'], { cwd: dir, okStatus: [1, 128] }).catch(() => undefined);
  const text = `${result.stderr}\n${result.stdout.toString('utf8')}`;
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('hint:')) ?? 'git am failed'
  );
}

/** The commit checked out in `dir`. */
export async function headOf(dir: string): Promise<string> {
  const out = await git(['rev-parse', 'HEAD'], { cwd: dir });
  const oid = out.stdout.toString('latin1').trim();
  if (oid === '') throw new GitError(`cannot read HEAD in ${dir}`);
  return oid;
}
