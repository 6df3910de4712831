import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyCorpus, makeSandbox, sit } from './helpers/cli.ts';

const sandbox = makeSandbox();
const repo = copyCorpus(sandbox.dir);
const MR_ITEM = 'c27ffb7e-5b3d-40f7-a13c-e14ab2d5cbb6';

if (repo !== undefined) {
  const cwd = sandbox.dir;

  test('sit integrity names exactly the two damaged records and exits 1', () => {
    const result = sit(sandbox, ['integrity'], { cwd });
    assert.is(result.status, 1);
    assert.is(
      result.stdout,
      '40edf9a2-495e-434b-a857-1a86924ec2b3 JSA44LYWSNAO4F3P4GJ6U4V73D5QE3MQ\ncdbea4e3-e2ad-4347-8b14-ccee6a410268 M6AZNGMHVHID53OLWIUT7EE543PIVBHY\n',
    );
    const checks = result.stderr.trim().split('\n');
    // Every record is examined through its item and again in records/, as the original does.
    const damaged = new Set(checks.filter((line) => line.endsWith(' false')).map((line) => line.split(' ')[0]));
    assert.equal([...damaged].sort(), ['JSA44LYWSNAO4F3P4GJ6U4V73D5QE3MQ', 'M6AZNGMHVHID53OLWIUT7EE543PIVBHY']);
    assert.ok(checks.length >= 717);
  });

  test('sit -i records prints all 717 hashes; with integrity on the two damaged ones are left out', () => {
    const all = sit(sandbox, ['-i', 'records'], { cwd }).stdout.trim().split('\n');
    assert.is(all.length, 717);
    assert.is(new Set(all).size, 717);
    const checked = sit(sandbox, ['records'], { cwd }).stdout.trim().split('\n');
    assert.is(checked.length, 715);
    assert.not.ok(checked.includes('JSA44LYWSNAO4F3P4GJ6U4V73D5QE3MQ'));
  });

  test('sit records ITEM prints the item records in generation order', () => {
    const result = sit(sandbox, ['records', MR_ITEM], { cwd });
    assert.is(
      result.stdout,
      'REM2J53NMADLLONGXSDIGRVXSEO32YNV\nYMOPQGVH7O5UFCQFTXCBLXMTPGAQCELF\nJ66WNG37O4BXMU2223HQCBDIBG6LU5WP\n',
    );
    const types = sit(sandbox, ['records', MR_ITEM, '-q', "join(',', keys(files)[?starts_with(@, '.type/')])"], {
      cwd,
    });
    assert.is(
      types.stdout,
      '.type/SummaryChanged\n.type/DetailsChanged,.type/MergeRequested\n.type/Closed,.type/Merged\n',
    );
    const filtered = sit(sandbox, ['records', MR_ITEM, '-f', "contains(keys(files), 'record')", '-q', 'files.record'], {
      cwd,
    });
    assert.is(filtered.stdout, 'YMOPQGVH7O5UFCQFTXCBLXMTPGAQCELF\n\n');
  });

  test('a record written into the copy has the canonical link file and links to the item heads', () => {
    writeFileSync(join(cwd, 'text'), 'A comment written by the TypeScript sit');
    const result = sit(sandbox, ['record', '-t', 'Commented', MR_ITEM, 'text'], { cwd });
    assert.is(result.status, 0, result.stderr);
    const hash = result.stdout.trim();
    const link = readFileSync(join(repo, 'items', MR_ITEM, hash), 'utf8');
    assert.is(link, `../../records/${hash.match(/../g)!.slice(0, 15).join('/')}/${hash}`);
    assert.equal(readdirSync(join(repo, link.replace('../../', ''), '.prev')), ['J66WNG37O4BXMU2223HQCBDIBG6LU5WP']);
    assert.is(sit(sandbox, ['records', MR_ITEM], { cwd }).stdout.trim().split('\n').pop(), hash);
    assert.is(sit(sandbox, ['integrity'], { cwd }).stdout.split('\n').length, 3);
  });

  test('the item list and reduce work with no module installed (ids, initial state)', () => {
    const ids = sit(sandbox, ['items'], { cwd }).stdout.trim().split('\n');
    assert.is(ids.length, 191);
    assert.equal(ids, [...ids].sort());
    assert.is(sit(sandbox, ['reduce', MR_ITEM, '-q', 'id'], { cwd }).stdout, `${MR_ITEM}\n`);
  });
}

test.run();
