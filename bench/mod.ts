/**
 * `npm run bench`: the SPEC §7 budgets measured on generated repositories shaped like SIT's own
 * tracker (or on an existing repository with `--repo`), each figure beside its floor measured in
 * the same run, as medians of several runs.
 *
 *   npm run bench                          1 000 and 10 000 items, 5 runs each
 *   npm run bench -- --items 1000 --runs 3
 *   npm run bench -- --repo path/to/.sit   an existing repository (it is not modified; a copy is)
 *
 * Generated repositories are kept in bench/.work/ and reused when present. The budgets are set for
 * the 10 000-item repository: its rows say met or MISSED (and the exit status is 1 if any is
 * missed); other sizes and existing repositories are measured for reference.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Repository } from '../src/store/mod.ts';
import { generateRepository } from './generate.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const SIT_JS = join(ROOT, 'dist', 'src', 'cli.js');
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
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  return seconds;
}

interface Row {
  work: string;
  median: number;
  unit: 's' | 'ms';
  floor?: number;
  budget: string;
  ok: boolean;
  /** Measured for reference only: the budgets are set for the generated 10 000-item repository. */
  reference?: boolean;
}

function format(row: Row): string {
  const value = row.unit === 'ms' ? `${(row.median * 1000).toFixed(1)} ms` : `${row.median.toFixed(3)} s`;
  const floor = row.floor === undefined ? '' : `${row.floor.toFixed(3)} s`;
  const ratio = row.floor === undefined ? '' : `${(row.median / row.floor).toFixed(2)}×`;
  const result = row.budget === '' ? '' : row.reference === true ? 'reference' : row.ok ? 'met' : 'MISSED';
  return `| ${row.work} | ${value} | ${floor} | ${ratio} | ${row.budget} | ${result} |`;
}

async function webLatency(repoPath: string, env: NodeJS.ProcessEnv, requests: number): Promise<number[]> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [SIT_JS, '-r', repoPath, 'web', '--readonly', '--listen', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Serving on')) ready();
    });
    child.on('exit', (code) => fail(new Error(`sit web exited ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/?q=${encodeURIComponent('is:open sort:updated-desc')}`;
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
    child.kill();
  }
  return times;
}

async function benchRepository(label: string, repoPath: string, runs: number): Promise<Row[]> {
  const cacheDir = join(WORK, 'cache', label);
  const env = { ...process.env, SIT_CACHE_DIR: cacheDir, XDG_CONFIG_HOME: join(WORK, 'config') };
  mkdirSync(join(WORK, 'config', 'sit'), { recursive: true });
  writeFileSync(join(WORK, 'config', 'sit', 'config.json'), JSON.stringify({ author: { name: 'Bench', email: 'bench@example.org' } }));
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
    repo.newRecord([{ name: '.type/Commented', data: new Uint8Array() }, { name: 'text', data: new TextEncoder().encode(`bench comment ${Date.now()}`) }], { itemId: id });
    afterOne.push(timed([SIT_JS, ...items], env));
    integrity.push(timed([SIT_JS, '-r', repoPath, 'integrity'], env, 0));
    // In the repository: sit --help also lists the commands its modules add.
    help.push(timed([SIT_JS, '-r', repoPath, '--help'], env));
  }
  const web = await webLatency(repoPath, env, 50);
  const rows: Row[] = [];
  const cf = median(coldFloor);
  const wf = median(warmFloor);
  const w = median(warm);
  rows.push({ work: `${label}: cold floor (read every record file)`, median: cf, unit: 's', budget: '', ok: true });
  rows.push({ work: `${label}: warm floor (list items, stat each)`, median: wf, unit: 's', budget: '', ok: true });
  rows.push({ work: `${label}: sit items -q …, empty cache`, median: median(cold), unit: 's', floor: cf, budget: '≤ 1.2 × cold floor', ok: median(cold) <= 1.2 * cf });
  rows.push({ work: `${label}: sit items -q …, warm`, median: w, unit: 's', floor: wf, budget: '≤ 2 × warm floor', ok: w <= 2 * wf });
  rows.push({ work: `${label}: sit items -q …, after one new record`, median: median(afterOne), unit: 's', budget: `≤ warm + 0.2 s (${(w + 0.2).toFixed(3)} s)`, ok: median(afterOne) <= w + 0.2 });
  rows.push({ work: `${label}: web list, first page of is:open sort:updated-desc, warm`, median: median(web), unit: 'ms', budget: '≤ 50 ms per request', ok: median(web) <= 0.05 });
  rows.push({ work: `${label}: sit integrity`, median: median(integrity), unit: 's', floor: cf, budget: '≤ 1.5 × cold floor', ok: median(integrity) <= 1.5 * cf });
  rows.push({ work: `${label}: sit --help (in the repository)`, median: median(help), unit: 's', budget: '≤ 0.3 s', ok: median(help) <= 0.3 });
  return rows;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(SIT_JS)) throw new Error('dist/src/cli.js is missing: run `npm run build` (npm install does it) first');
  // SPEC §7 sets its budgets for 10 000 items: other sizes and existing repositories are measured
  // the same way, for reference (fixed start-up costs weigh more in a small repository).
  const targets: Array<{ label: string; path: string; judged: boolean }> = [];
  if (options.repo !== undefined) {
    const copy = join(WORK, 'existing', '.sit');
    rmSync(join(WORK, 'existing'), { recursive: true, force: true });
    cpSync(resolve(options.repo), copy, { recursive: true });
    targets.push({ label: 'existing repository', path: copy, judged: false });
  } else {
    for (const count of options.items) {
      const path = join(WORK, `repo-${count}-seed${options.seed}`, '.sit');
      if (!existsSync(join(path, 'config.json'))) {
        process.stderr.write(`generating ${count} items into ${path}…\n`);
        const start = performance.now();
        const records = generateRepository(path, count, { seed: options.seed, module: join(ROOT, 'modules', 'issue-tracking') });
        process.stderr.write(`  ${records} records in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
      }
      targets.push({ label: `${count.toLocaleString('en')} items`, path, judged: count === 10000 });
    }
  }
  const rows: Row[] = [];
  for (const target of targets) {
    const measured = await benchRepository(target.label, target.path, options.runs);
    rows.push(...measured.map((row) => (target.judged ? row : { ...row, reference: true })));
  }
  console.log(`\nMedians of ${options.runs} runs (web: 50 requests) on ${process.version}, ${(await import('node:os')).availableParallelism()} cores\n`);
  console.log('| work | median | floor | ratio | budget | result |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(format(row));
  if (rows.some((row) => !row.ok && row.reference !== true)) process.exitCode = 1;
}

await main();
