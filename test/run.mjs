// Runs the test files with uvu under tsx, each in a process of its own and several at once, and
// ends with one plain line: `N passed, N failed` (plus `, N skipped`). Exits non-zero when a test
// fails, a file crashes or a file runs out of time.
//
//   node test/run.mjs [--all] [--jobs N] [PATTERN...]
//
// Without `--all` it runs `test/*.test.ts`; `--all` adds the long stress tests of `test/stress/`.
// A PATTERN (a regular expression, as uvu takes them) keeps the files whose name below test/
// matches it (`web_`, `^store_`, `stress/`).
// `--jobs N` (or SIT_TEST_JOBS) sets how many files run at once.
//
// Each file's output is printed whole when it ends, so files never interleave. Files share no
// state: dist/ is built (when older than the sources) before any file starts and the files'
// helpers then use it as it is (SIT_TEST_BUILT in test/helpers/cli.ts); each file gets a home, a
// configuration and a cache directory of its own. The slowest files start first, by the times
// of the last run (kept in node_modules/.cache/sit-tests/times.json).
import { spawn, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIMES = join(root, 'node_modules', '.cache', 'sit-tests', 'times.json');
/** A file still running after this long is stopped and counts as failed. */
const FILE_TIMEOUT_MS = Number(process.env['SIT_TEST_FILE_TIMEOUT'] ?? 20 * 60) * 1000;

function usage(message) {
  process.stderr.write(`test/run.mjs: ${message}\nusage: node test/run.mjs [--all] [--jobs N] [PATTERN...]\n`);
  console.log('0 passed, 1 failed');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { all: false, jobs: Number(process.env['SIT_TEST_JOBS'] ?? 0), patterns: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--all') options.all = true;
    else if (arg === '--jobs' || arg === '-j') options.jobs = Number(argv[++i]);
    else if (arg.startsWith('--jobs=')) options.jobs = Number(arg.slice('--jobs='.length));
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else options.patterns.push(new RegExp(arg, 'i'));
  }
  if (!Number.isInteger(options.jobs) || options.jobs < 0) usage('--jobs takes a whole number');
  // Most files wait on child processes and the disk much of the time: one more than the cores.
  if (options.jobs === 0) options.jobs = availableParallelism() + 1;
  return options;
}

/** The test files to run, as paths relative to the project root. */
function testFiles(options) {
  const list = (dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((name) => name.endsWith('.test.ts'))
          .sort()
          .map((name) => `${dir}/${name}`)
      : [];
  const files = [...list('test'), ...(options.all ? list('test/stress') : [])];
  if (options.patterns.length === 0) return files;
  return files.filter((file) => options.patterns.some((pattern) => pattern.test(file.slice('test/'.length))));
}

/** Seconds per file from the last run, or an empty object. */
function readTimes() {
  try {
    const times = JSON.parse(readFileSync(TIMES, 'utf8'));
    return typeof times === 'object' && times !== null ? times : {};
  } catch {
    return {};
  }
}

function writeTimes(times) {
  try {
    mkdirSync(dirname(TIMES), { recursive: true });
    writeFileSync(TIMES, JSON.stringify(times, null, 1) + '\n');
  } catch {
    // only the order of the next run depends on it
  }
}

/** The newest modification time of the files below `dir` (0 when there is none). */
function newest(dir) {
  let time = 0;
  for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/**
 * Whether dist/ is missing or older than src/ or templates/ (the rule of ensureBuilt in
 * test/helpers/cli.ts). A build replaces dist/ whole, so it is not made when not needed: another
 * run in this tree may be using it.
 */
function buildNeeded() {
  const cli = join(root, 'dist', 'src', 'cli.js');
  return (
    !existsSync(cli) || statSync(cli).mtimeMs < Math.max(newest(join(root, 'src')), newest(join(root, 'templates')))
  );
}

/** Counts in one file's uvu output (colours removed), or undefined when the totals are missing. */
function counts(plain) {
  const num = (label) => Number(plain.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
  const total = num('Total');
  const passed = num('Passed');
  if (Number.isNaN(total) || Number.isNaN(passed)) return undefined;
  const skipped = num('Skipped');
  return { passed, failed: total - passed, skipped: Number.isNaN(skipped) ? 0 : skipped };
}

/** Runs one file in a process of its own; resolves with its output, counts and time. */
function runFile(file) {
  const scratch = mkdtempSync(join(tmpdir(), 'sit-test-'));
  const env = {
    ...process.env,
    NO_COLOR: '1',
    SIT_TEST_BUILT: '1',
    HOME: join(scratch, 'home'),
    XDG_CONFIG_HOME: join(scratch, 'config'),
    SIT_CACHE_DIR: join(scratch, 'cache'),
  };
  mkdirSync(env.HOME);
  // Named as below test/ (`stress/…` for the stress tests); uvu is given the directory and the base name.
  const name = file.slice('test/'.length);
  const base = file.slice(file.lastIndexOf('/') + 1);
  const pattern = `^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  const args = ['--import', 'tsx', join(root, 'node_modules/uvu/bin.js'), dirname(file), pattern];
  const started = Date.now();
  // Its own process group, so that a file that runs out of time is stopped with its children.
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, FILE_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      cleanups.push(removeTree(scratch));
      const seconds = (Date.now() - started) / 1000;
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const found = counts(plain) ?? { passed: 0, failed: 0, skipped: 0 };
      let problem;
      if (timedOut) problem = `stopped after ${FILE_TIMEOUT_MS / 1000} s`;
      else if (counts(plain) === undefined || (code !== 0 && found.failed === 0))
        problem = `crashed: ${signal === null ? `exit status ${code}` : signal}`;
      // A file that crashed or ran out of time counts as one more failure.
      if (problem !== undefined) found.failed += 1;
      resolve({ file, name, seconds, plain, problem, ...found });
    });
  });
}

/** The processes running now. */
const running = new Set();
/** Removals of the files' scratch directories, awaited before the summary. */
const cleanups = [];

/** Removes `dir`, also when a test left read-only directories in it. */
async function removeTree(dir) {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    const writable = (path) => {
      try {
        chmodSync(path, 0o700);
        for (const entry of readdirSync(path, { withFileTypes: true }))
          if (entry.isDirectory()) writable(join(path, entry.name));
      } catch {
        // gone, or not ours
      }
    };
    writable(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) killGroup(child);
    process.exit(130);
  });
}

/** One file's output for the log: uvu's lines without its totals, then one line of counts and time. */
function report(result) {
  const body = result.plain
    .replace(/\n\s*Total:\s+\d+\n\s*Passed:\s+\d+\n\s*Skipped:\s+\d+\n\s*Duration:\s+\S+\n*/, '\n')
    .trimEnd();
  const tail =
    `  ${result.name}: ${result.passed} passed, ${result.failed} failed` +
    (result.skipped > 0 ? `, ${result.skipped} skipped` : '') +
    ` in ${result.seconds.toFixed(1)} s` +
    (result.problem === undefined ? '' : ` (${result.problem})`);
  return `${body}\n${tail}\n\n`;
}

const options = parseArgs(process.argv.slice(2));
const files = testFiles(options);
if (files.length === 0) usage('no test file matches');

try {
  if (buildNeeded())
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
} catch {
  console.log('test/run.mjs: the build failed; nothing was tested');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const times = readTimes();
// The slowest first (files without a time may be slow too), so that no long file starts last.
const queue = [...files].sort((a, b) => (times[b] ?? Infinity) - (times[a] ?? Infinity) || (a < b ? -1 : 1));
const started = Date.now();
const results = [];
process.stdout.write(`Running ${files.length} test files, ${Math.min(options.jobs, files.length)} at a time\n\n`);

async function worker() {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const result = await runFile(file);
    results.push(result);
    process.stdout.write(report(result));
  }
}
await Promise.all(Array.from({ length: Math.min(options.jobs, files.length) }, worker));
await Promise.all(cleanups);

for (const result of results)
  if (result.problem === undefined) times[result.file] = Math.round(result.seconds * 10) / 10;
writeTimes(times);

const sum = (key) => results.reduce((total, result) => total + result[key], 0);
const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
process.stdout.write(`Slowest: ${slowest.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(', ')}\n`);
const failing = results.filter((r) => r.failed > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
for (const result of failing) {
  process.stdout.write(
    `FAILED: ${result.file}: ${result.failed} failed${result.problem === undefined ? '' : ` (${result.problem})`}\n`,
  );
}
process.stdout.write(`${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
console.log(`${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 ? 1 : 0);
