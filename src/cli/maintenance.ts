/** `sit integrity`, `sit upgrade` and `sit rebuild` (original-sit.md §4.13, §4.19, §4.20). */
import { spawnSync } from 'node:child_process';
import { forTerminal } from '../terminal.ts';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SitError } from '../errors.ts';
import { withProgress } from '../progress.ts';
import {
  checkIntegrityParallel,
  rebuildRepository,
  Repository,
  upgradeRepository,
  type RecordFile,
} from '../store/mod.ts';
import type { Context } from './context.ts';
import { parseCommand, stringOption } from './parse.ts';

/** Runs `sit integrity`. */
export async function runIntegrity(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'integrity',
      usage: 'integrity',
      description:
        'Re-hash every record; print damaged ones on stdout (`ITEM HASH`, then `HASH`), then other damage as `PATH: reason` (links to missing records, broken link files, unreadable items), and every check on stderr; exit 1 if anything is damaged',
    },
    argv,
  );
  if (parsed === undefined) return 0;
  if (context.at !== undefined) return (await import('./at.ts')).integrityAt(context);
  const repo = context.repository();
  const report = await withProgress('Checking records', (onProgress) => checkIntegrityParallel(repo, { onProgress }));
  process.stderr.write(report.checked.map((r) => `${r.hash} ${r.intact}\n`).join(''));
  const out = [
    ...report.itemDamage.map((d) => `${d.item} ${d.hash}\n`),
    ...report.repositoryDamage.map((h) => `${h}\n`),
    ...report.problems.map((p) => `${p.path}: ${p.reason}\n`),
  ];
  // Item ids are directory names from the repository.
  process.stdout.write(forTerminal(out.join(''), process.stdout.isTTY));
  return out.length > 0 ? 1 : 0;
}

/** Runs `sit upgrade`. */
export async function runUpgrade(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'upgrade',
      usage: 'upgrade',
      description: 'Upgrade a repository made by an older SIT to the current layout',
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const path = Repository.findPath(context.workDir, { repository: context.globals.repository });
  await withProgress('Moving records', (onProgress) =>
    upgradeRepository(path, { onUpgrade: (name) => process.stdout.write(`${name}\n`), onProgress }),
  );
  return 0;
}

/** Runs `command <dir>` in `dir` on a record's files and reads them back. */
function transformWith(command: string): (files: RecordFile[], hash: string) => RecordFile[] {
  return (files, hash) => {
    const dir = mkdtempSync(join(tmpdir(), 'sit-rebuild-'));
    try {
      for (const file of files) {
        mkdirSync(dirname(join(dir, file.name)), { recursive: true });
        writeFileSync(join(dir, file.name), file.data);
      }
      const result = spawnSync(command, [dir], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
      if (result.error !== undefined)
        throw new SitError(`cannot run --on-record command ${command}: ${result.error.message}`);
      if (result.status !== 0)
        throw new SitError(`--on-record command ${command} failed on record ${hash} (exit status ${result.status})`);
      const out: RecordFile[] = [];
      const walk = (sub: string): void => {
        for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
          const name = sub === '' ? entry.name : `${sub}/${entry.name}`;
          if (entry.isDirectory()) walk(name);
          else if (entry.isFile()) out.push({ name, data: readFileSync(join(dir, name)) });
        }
      };
      walk('');
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Runs `sit rebuild SRC DEST`. */
export async function runRebuild(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'rebuild',
      usage: 'rebuild <src> <dest>',
      description:
        'Re-hash every record of SRC into the new repository DEST, mapping parent links and recreating item links',
      options: [
        [
          '--on-record <command>',
          "run `command <dir>` on each record's files (in a temporary directory) before it is written",
        ],
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const [src, dest] = parsed.args as [string, string];
  const source = Repository.open(resolve(src), { integrity: context.integrity });
  const command = stringOption(parsed.options, 'onRecord');
  process.stdout.write('Copying all supplementary files: ');
  let started = false;
  const result = await withProgress('Rebuilding records', (onProgress) =>
    rebuildRepository(source, resolve(dest), {
      ...(command === undefined ? {} : { transform: transformWith(command) }),
      onProgress: (done, total) => {
        if (!started) process.stdout.write('done\nProcessing items\n');
        started = true;
        onProgress(done, total);
      },
    }),
  );
  if (!started) process.stdout.write('done\nProcessing items\n');
  process.stdout.write(`${result.hashes.size} records rebuilt into ${result.repository.path}\n`);
  return 0;
}
