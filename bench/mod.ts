/**
 * `npm run bench`: the SPEC §7 budgets measured on generated repositories shaped like SIT's own
 * tracker (or on an existing repository with `--repo`), each figure beside its floor measured in
 * the same run, as medians of several runs.
 *
 *   npm run bench                          1 000 and 10 000 items, 5 runs each
 *   npm run bench -- --items 1000 --runs 3
 *   npm run bench -- --repo path/to/.sit   an existing repository (it is not modified; a copy is)
 *
 * Generated repositories also get a git history (bench/git.ts) for the rows of `sit --at` and
 * `sit issue where`, and a Fossil repository with as many tickets (bench/fossil.ts) when `fossil`
 * is installed. The rows of `sit issue …` are in bench/commands.ts.
 *
 * Generated repositories are kept in bench/.work/ and reused when present. The budgets are set for
 * the 10 000-item repository: its rows say met or MISSED (and the exit status is 1 if any is
 * missed); other sizes and existing repositories are measured for reference.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Repository } from '../src/store/mod.ts';
import { benchCommands } from './commands.ts';
import { benchFossil, ensureFossil, fossilVersion } from './fossil.ts';
import { generateRepository } from './generate.ts';
import { BENCH_AT, benchGit } from './git.ts';
import { benchDaemon } from './daemon.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const SIT_JS = join(ROOT, 'dist', 'src', 'sit.cjs');
const WORK = join(ROOT, 'bench', '.work');
const QUERY = "join(' | ', [id, summary])";

interface Options {
  items: number[];
  runs: number;
  repo?: string;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { items: [1000, 10000], runs: 5, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--items' && value) options.items = value.split(',').map(Number);
    else if (arg === '--runs' && value) options.runs = Number(value);
    else if (arg === '--repo' && value) options.repo = value;
    else if (arg === '--seed' && value) options.seed = Number(value);
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run bench -- [--items 1000,10000] [--runs 5] [--seed 1] [--repo PATH/.sit]');
      process.exit(0);
    } else continue;
    i++;
  }
  return options;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs a command to completion and returns its wall time in seconds. */
function timed(args: string[], env: NodeJS.ProcessEnv, expectStatus = 0): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== expectStatus)
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  return seconds;
}

interface Row {
  work: string;
  median: number;
  unit: 's' | 'ms' | 'MB';
  floor?: number;
  budget: string;
  ok: boolean;
  /** Measured for reference only: the budgets are set for the generated 10 000-item repository. */
  reference?: boolean;
}

function format(row: Row): string {
  const value = Number.isNaN(row.median)
    ? '-'
    : row.unit === 'MB'
      ? `${row.median.toFixed(0)} MB`
      : row.unit === 'ms'
        ? `${(row.median * 1000).toFixed(1)} ms`
        : `${row.median.toFixed(3)} s`;
  const floor = row.floor === undefined ? '' : `${row.floor.toFixed(3)} s`;
  const ratio = row.floor === undefined ? '' : `${(row.median / row.floor).toFixed(2)}×`;
  const result = row.budget === '' ? '' : row.reference === true ? 'reference' : row.ok ? 'met' : 'MISSED';
  return `| ${row.work} | ${value} | ${floor} | ${ratio} | ${row.budget} | ${result} |`;
}

/** A running `sit web --readonly` for the bench. */
interface WebServer {
  port: number;
  pid: number;
  stop(): void;
}

/**
 * Starts `sit web --readonly` on `repoPath` and resolves once it has indexed the repository: an
 * API address answers 200 (a server still indexing answers 503, or is not listening yet: not yet).
 */
async function startIndexedWeb(repoPath: string, env: NodeJS.ProcessEnv): Promise<WebServer> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    [SIT_JS, '-r', repoPath, 'web', '--readonly', '--listen', `127.0.0.1:${port}`],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  const url = `http://127.0.0.1:${port}/api/items/${encodeURIComponent("state == 'open'")}/id`;
  const deadline = performance.now() + 30 * 60_000;
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`sit web exited ${exited}`);
      if (performance.now() > deadline) throw new Error('sit web did not answer 200 within 30 minutes');
      const status = await fetch(url).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      if (status === 200) break;
      if (status !== 0 && status !== 503) throw new Error(`sit web answered ${status} to ${url}`);
      await new Promise((wait) => setTimeout(wait, 250));
    }
  } catch (error) {
    child.kill();
    throw error;
  }
  return { port, pid: child.pid!, stop: () => child.kill() };
}

async function webLatency(repoPath: string, env: NodeJS.ProcessEnv, requests: number): Promise<number[]> {
  const web = await startIndexedWeb(repoPath, env);
  const url = `http://127.0.0.1:${web.port}/?q=${encodeURIComponent('is:open sort:updated-desc')}`;
  const times: number[] = [];
  try {
    for (let i = 0; i < requests + 5; i++) {
      const start = performance.now();
      const response = await fetch(url);
      await response.text();
      if (response.status !== 200) throw new Error(`web list answered ${response.status}`);
      if (i >= 5) times.push((performance.now() - start) / 1000);
    }
  } finally {
    web.stop();
  }
  return times;
}

/** Reads a `kB` field (`VmRSS`, `VmHWM`) of /proc/PID/status, in MB; undefined without /proc. */
function procMegabytes(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * The resident memory (VmRSS) of `sit web` once it has indexed the repository, and its peak
 * (VmHWM), in MB; undefined without /proc.
 */
async function webResident(
  repoPath: string,
  env: NodeJS.ProcessEnv,
): Promise<{ rss: number; peak: number } | undefined> {
  const web = await startIndexedWeb(repoPath, env);
  try {
    const rss = procMegabytes(web.pid, 'VmRSS');
    const peak = procMegabytes(web.pid, 'VmHWM');
    return rss === undefined || peak === undefined ? undefined : { rss, peak };
  } finally {
    web.stop();
  }
}

async function benchRepository(label: string, repoPath: string, runs: number, git: boolean): Promise<Row[]> {
  const cacheDir = join(WORK, 'cache', label);
  const env = { ...process.env, SIT_CACHE_DIR: cacheDir, XDG_CONFIG_HOME: join(WORK, 'config') };
  mkdirSync(join(WORK, 'config', 'sit'), { recursive: true });
  writeFileSync(
    join(WORK, 'config', 'sit', 'config.json'),
    JSON.stringify({ author: { name: 'Bench', email: 'bench@example.org' } }),
  );
  const items = ['-r', repoPath, 'items', '-q', QUERY];
  const coldFloor: number[] = [];
  const warmFloor: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const afterOne: number[] = [];
  const integrity: number[] = [];
  const help: number[] = [];
  const repo = Repository.open(repoPath);
  const ids = repo.items();
  for (let run = 0; run < runs; run++) {
    process.stderr.write(`  ${label}: run ${run + 1}/${runs}\n`);
    coldFloor.push(timed([join(ROOT, 'bench', 'floor_cold.mjs'), repoPath], env));
    rmSync(cacheDir, { recursive: true, force: true });
    cold.push(timed([SIT_JS, ...items], env));
    warmFloor.push(timed([join(ROOT, 'bench', 'floor_warm.mjs'), repoPath], env));
    warm.push(timed([SIT_JS, ...items], env));
    const id = ids[(run * 7919) % ids.length]!;
    repo.newRecord(
      [
        { name: '.type/Commented', data: new Uint8Array() },
        { name: 'text', data: new TextEncoder().encode(`bench comment ${Date.now()}`) },
      ],
      { itemId: id },
    );
    afterOne.push(timed([SIT_JS, ...items], env));
    integrity.push(timed([SIT_JS, '-r', repoPath, 'integrity'], env, 0));
    // In the repository: sit --help also lists the commands its modules add.
    help.push(timed([SIT_JS, '-r', repoPath, '--help'], env));
  }
  const web = await webLatency(repoPath, env, 50);
  const commands = benchCommands(repoPath, SIT_JS, QUERY, runs, env);
  const resident = await webResident(repoPath, env);
  const daemon = await benchDaemon(repoPath, SIT_JS, runs, env);
  const rows: Row[] = [];
  const cf = median(coldFloor);
  const wf = median(warmFloor);
  const w = median(warm);
  rows.push({ work: `${label}: cold floor (read every record file)`, median: cf, unit: 's', budget: '', ok: true });
  rows.push({ work: `${label}: warm floor (list items, stat each)`, median: wf, unit: 's', budget: '', ok: true });
  rows.push({
    work: `${label}: sit items -q …, empty cache`,
    median: median(cold),
    unit: 's',
    floor: cf,
    budget: '≤ 1.2 × cold floor',
    ok: median(cold) <= 1.2 * cf,
  });
  rows.push({
    work: `${label}: sit items -q …, warm`,
    median: w,
    unit: 's',
    floor: wf,
    budget: '≤ 2 × warm floor',
    ok: w <= 2 * wf,
  });
  rows.push({
    work: `${label}: sit items -q …, after one new record`,
    median: median(afterOne),
    unit: 's',
    budget: `≤ warm + 0.2 s (${(w + 0.2).toFixed(3)} s)`,
    ok: median(afterOne) <= w + 0.2,
  });
  rows.push({
    work: `${label}: web list, first page of is:open sort:updated-desc, warm`,
    median: median(web),
    unit: 'ms',
    budget: '≤ 50 ms per request',
    ok: median(web) <= 0.05,
  });
  rows.push({
    work: `${label}: sit integrity`,
    median: median(integrity),
    unit: 's',
    floor: cf,
    budget: '≤ 1.5 × cold floor',
    ok: median(integrity) <= 1.5 * cf,
  });
  rows.push({
    work: `${label}: sit --help (in the repository)`,
    median: median(help),
    unit: 's',
    budget: '≤ 0.3 s',
    ok: median(help) <= 0.3,
  });
  const itemsWarm = median(commands.items);
  const list = median(commands.list);
  const listAll = median(commands.listAll);
  const node = median(commands.node);
  const showOne = median(commands.show);
  rows.push({
    work: `${label}: sit items -q …, warm (again, beside the issue rows)`,
    median: itemsWarm,
    unit: 's',
    budget: '',
    ok: true,
  });
  rows.push({
    work: `${label}: sit issue list, warm`,
    median: list,
    unit: 's',
    floor: itemsWarm,
    budget: '≤ 1.2 × sit items -q …',
    ok: list <= 1.2 * itemsWarm,
  });
  rows.push({
    work: `${label}: sit issue list --all, warm`,
    median: listAll,
    unit: 's',
    floor: itemsWarm,
    budget: '≤ 1.5 × sit items -q …',
    ok: listAll <= 1.5 * itemsWarm,
  });
  rows.push({ work: `${label}: node -e 0`, median: node, unit: 's', budget: '', ok: true });
  rows.push({
    work: `${label}: sit issue show ID, warm`,
    median: showOne,
    unit: 's',
    floor: node,
    budget: '≤ 2 × node -e 0',
    ok: showOne <= 2 * node,
  });
  const daemonNode = median(daemon.node);
  const daemonList = median(daemon.listAll);
  rows.push({
    work: `${label}: node -e 0 (beside the daemon row)`,
    median: daemonNode,
    unit: 's',
    budget: '',
    ok: true,
  });
  rows.push({
    work: `${label}: sit issue list --all, warm, with sit daemon running`,
    median: daemonList,
    unit: 's',
    floor: daemonNode,
    budget: '≤ 1.5 × node -e 0',
    ok: daemonList <= 1.5 * daemonNode,
  });
  const writes: Array<[keyof typeof commands.writes, string, string]> = [
    ['new', 'sit issue new --summary S (an item, 2 records)', 'sit record -t SummaryChanged ITEM text'],
    ['comment', 'sit issue comment ID -m TEXT', 'sit record -t Commented ID text'],
    ['close', 'sit issue close ID (shown before)', 'sit record -t Closed ID'],
    ['label', 'sit issue label ID +LABEL (shown before)', 'sit record -t LabelsChanged ID added'],
  ];
  for (const [key, issue, record] of writes) {
    const floor = median(commands.writes[key].record);
    const value = median(commands.writes[key].issue);
    rows.push({ work: `${label}: ${record}`, median: floor, unit: 's', budget: '', ok: true });
    rows.push({
      work: `${label}: ${issue}`,
      median: value,
      unit: 's',
      floor,
      budget: '≤ 1.5 × sit record',
      ok: value <= 1.5 * floor,
    });
  }
  const fossil = fossilVersion();
  if (fossil === undefined) {
    rows.push({
      work: `${label}: fossil ticket show 0 (not measured: fossil is not installed; Debian package fossil)`,
      median: Number.NaN,
      unit: 's',
      budget: '',
      ok: true,
    });
  } else {
    const tickets = ensureFossil(repoPath, SIT_JS, env);
    const fossilShow = median(benchFossil(tickets, runs, env));
    rows.push({
      work: `${label}: fossil ticket show 0 (${fossil.replace(/^This is fossil version /, 'Fossil ')})`,
      median: fossilShow,
      unit: 's',
      budget: '',
      ok: true,
    });
    rows.push({
      work: `${label}: sit issue list --all, warm, beside fossil ticket show 0`,
      median: listAll,
      unit: 's',
      floor: fossilShow,
      budget: '',
      ok: true,
    });
    rows.push({
      work: `${label}: sit issue list --all with sit daemon running, beside fossil ticket show 0`,
      median: daemonList,
      unit: 's',
      floor: fossilShow,
      budget: '',
      ok: true,
    });
  }
  if (resident === undefined) {
    rows.push({
      work: `${label}: sit web resident memory once indexed (not measured: no /proc)`,
      median: Number.NaN,
      unit: 'MB',
      budget: '',
      ok: true,
    });
  } else {
    rows.push({
      work: `${label}: sit web resident memory (VmRSS) once indexed`,
      median: resident.rss,
      unit: 'MB',
      budget: '< 300 MB',
      ok: resident.rss < 300,
    });
    rows.push({
      work: `${label}: sit web peak resident memory (VmHWM) while indexing`,
      median: resident.peak,
      unit: 'MB',
      budget: '',
      ok: true,
    });
  }
  if (git) {
    const g = await benchGit(repoPath, SIT_JS, QUERY, runs, cacheDir, env);
    const materialise = median(g.materialise);
    const show = median(g.show);
    rows.push({
      work: `${label}: git archive ${BENCH_AT} .sit \\| tar -x, then sit items -q …, empty cache`,
      median: materialise,
      unit: 's',
      budget: '',
      ok: true,
    });
    rows.push({
      work: `${label}: sit --at ${BENCH_AT} items -q …, empty cache`,
      median: median(g.at),
      unit: 's',
      floor: materialise,
      budget: '< archive + cold items',
      ok: median(g.at) < materialise,
    });
    rows.push({ work: `${label}: sit issue show ID, warm`, median: show, unit: 's', budget: '', ok: true });
    rows.push({
      work: `${label}: sit issue where ID over 20 tags, second run`,
      median: median(g.where),
      unit: 's',
      floor: show,
      budget: '≤ 2 × warm issue show',
      ok: median(g.where) <= 2 * show,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(SIT_JS))
    throw new Error('dist/src/sit.cjs is missing: run `npm run build` (npm install does it) first');
  // SPEC §7 sets its budgets for 10 000 items: other sizes and existing repositories are measured
  // the same way, for reference (fixed start-up costs weigh more in a small repository).
  const targets: Array<{ label: string; path: string; judged: boolean; existing?: boolean }> = [];
  if (options.repo !== undefined) {
    const copy = join(WORK, 'existing', '.sit');
    rmSync(join(WORK, 'existing'), { recursive: true, force: true });
    cpSync(resolve(options.repo), copy, { recursive: true });
    targets.push({ label: 'existing repository', path: copy, judged: false, existing: true });
  } else {
    for (const count of options.items) {
      const path = join(WORK, `repo-${count}-seed${options.seed}`, '.sit');
      if (!existsSync(join(path, 'config.json'))) {
        process.stderr.write(`generating ${count} items into ${path}…\n`);
        const start = performance.now();
        const records = generateRepository(path, count, {
          seed: options.seed,
          module: join(ROOT, 'modules', 'issue-tracking'),
        });
        process.stderr.write(`  ${records} records in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
      }
      targets.push({ label: `${count.toLocaleString('en')} items`, path, judged: count === 10000 });
    }
  }
  const rows: Row[] = [];
  for (const target of targets) {
    const measured = await benchRepository(target.label, target.path, options.runs, !target.existing);
    rows.push(...measured.map((row) => (target.judged ? row : { ...row, reference: true })));
  }
  if (fossilVersion() === undefined)
    console.log('\nfossil is not installed: the Fossil rows are not measured (Debian package fossil)');
  console.log(
    `\nMedians of ${options.runs} runs (web: 50 requests) on ${process.version}, ${(await import('node:os')).availableParallelism()} cores\n`,
  );
  console.log('| work | median | floor | ratio | budget | result |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(format(row));
  if (rows.some((row) => !row.ok && row.reference !== true)) process.exitCode = 1;
}

await main();
