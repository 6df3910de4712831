import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidConfigError,
  deriveAuthor,
  emptyUserConfig,
  formatAuthor,
  loadUserConfig,
  saveUserConfig,
  serializeUserConfig,
} from '../src/store/mod.ts';
import { gitConfigPaths, parseGitUser, userConfigPath } from '../src/store/user_config.ts';
import { tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

test('location: XDG_CONFIG_HOME when absolute, else HOME/.config; -c relative to cwd', () => {
  assert.is(userConfigPath({ env: { XDG_CONFIG_HOME: '/x', HOME: '/h' } }), '/x/sit/config.json');
  assert.is(userConfigPath({ env: { XDG_CONFIG_HOME: 'relative', HOME: '/h' } }), '/h/.config/sit/config.json');
  assert.is(userConfigPath({ env: { HOME: '/h' } }), '/h/.config/sit/config.json');
  assert.is(userConfigPath({ path: 'my.json', cwd: '/w' }), '/w/my.json');
  assert.is(userConfigPath({ path: 'my', cwd: '/w' }), '/w/my.json');
  assert.is(userConfigPath({ path: 'my.yaml', cwd: '/w' }), undefined);
});

test('loading lower-cases keys, drops nulls, keeps other keys; a missing file is empty', () => {
  const home = tempDir();
  const env = { HOME: home };
  assert.equal(serializeUserConfig(loadUserConfig({ env })), '{}');
  mkdirSync(join(home, '.config', 'sit'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'sit', 'config.json'),
    JSON.stringify({
      Extra: { Nested: 1 },
      Author: { Name: 'Ann', EMAIL: 'ann@example.org' },
      items: { filters: { F1: 'state == `open`' }, queries: {} },
      signing: { enabled: true, key: null },
      nothing: null,
    }),
  );
  const config = loadUserConfig({ env });
  assert.equal(config.author, { name: 'Ann', email: 'ann@example.org' });
  assert.equal(config.items.filters, { f1: 'state == `open`' });
  assert.equal(config.signing, { enabled: true, key: undefined, gnupg: undefined });
  assert.is(
    serializeUserConfig(config),
    JSON.stringify(
      {
        author: { name: 'Ann', email: 'ann@example.org' },
        items: { filters: { f1: 'state == `open`' } },
        signing: { enabled: true },
        extra: { nested: 1 },
      },
      null,
      2,
    ),
  );
});

test('invalid JSON is an error naming the file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.json'), '{"author": ');
  assert.throws(
    () => loadUserConfig({ path: join(dir, 'bad.json') }),
    (e: Error) => e instanceof InvalidConfigError && e.message.includes(join(dir, 'bad.json')),
  );
});

test('saving writes pretty JSON and creates the directory', () => {
  const dir = tempDir();
  const config = emptyUserConfig();
  config.author = { name: 'Bob' };
  const path = join(dir, 'deep', 'config.json');
  saveUserConfig(config, path);
  assert.is(readFileSync(path, 'utf8'), '{\n  "author": {\n    "name": "Bob"\n  }\n}');
});

test('authors: "Name <email>" or just the name', () => {
  assert.is(formatAuthor({ name: 'Ann', email: 'a@b' }), 'Ann <a@b>');
  assert.is(formatAuthor({ name: 'Ann' }), 'Ann');
});

test('git config parsing: [user] name and email, quotes, comments, case', () => {
  const text = [
    '# comment',
    '[core]',
    '\tname = not me',
    '[User]',
    '\tName = "Ann  Smith" ; trailing',
    '\temail = ann@example.org # also',
    '[user "sub"]',
    '\tname = Wrong',
  ].join('\n');
  assert.equal(parseGitUser(text), { name: 'Ann  Smith', email: 'ann@example.org' });
});

test('authorship: user config first, then git config files with the working directory last', () => {
  const home = tempDir();
  const work = tempDir();
  const env = { HOME: home };
  const paths = gitConfigPaths({ workDir: work, env });
  assert.equal(paths, [
    '/etc/gitconfig',
    join(home, '.config', 'git', 'config'),
    join(home, '.gitconfig'),
    join(work, '.git', 'config'),
  ]);
  const files = paths.slice(1);
  assert.is(deriveAuthor(emptyUserConfig(), { gitConfigFiles: files }), undefined);
  writeFileSync(join(home, '.gitconfig'), '[user]\n  name = Global\n  email = g@example.org\n');
  assert.equal(deriveAuthor(emptyUserConfig(), { gitConfigFiles: files }), { name: 'Global', email: 'g@example.org' });
  mkdirSync(join(work, '.git'));
  writeFileSync(join(work, '.git', 'config'), '[user]\n  name = Local\n');
  assert.equal(deriveAuthor(emptyUserConfig(), { gitConfigFiles: files }), { name: 'Local', email: 'g@example.org' });
  const config = emptyUserConfig();
  config.author = { name: 'Configured' };
  assert.equal(deriveAuthor(config, { gitConfigFiles: files }), { name: 'Configured' });
});

test.after(temp.cleanup);
test.run();
