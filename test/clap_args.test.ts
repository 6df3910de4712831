// clap 2 compatible matching, help and errors for `sit args`: the issue tracker's specification,
// the argv indices clap documents for flags and options, multiple values, defaults, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  appFromYamlDocument,
  ClapSpecError,
  formatMatches,
  helpMessage,
  parseArgs,
  parseYaml,
  type AppSpec,
} from '../src/clap/mod.ts';

const TRACKER = `name: SIT Issue Tracking
version: 0.5.0-dev
settings: [ColoredHelp, ColorAuto, DisableHelpSubcommand]
subcommands:
  - list:
  - show:
      about: Show issue
      args:
        - ID:
            required: true
            takes_value: true
            index: 1
  - help:
`;

function app(yaml: string): AppSpec {
  return appFromYamlDocument(parseYaml(yaml));
}

function out(spec: AppSpec, argv: string[]): string {
  const r = parseArgs(spec, argv);
  if (r.kind !== 'matches') throw new Error(`expected matches, got ${r.stream} ${r.status}: ${r.text}`);
  return formatMatches(r.matches);
}

function exit(spec: AppSpec, argv: string[]): { stream: string; status: number; text: string } {
  const r = parseArgs(spec, argv);
  if (r.kind !== 'exit') throw new Error(`expected an exit, got ${JSON.stringify(formatMatches(r.matches))}`);
  return { stream: r.stream, status: r.status, text: r.text };
}

test('the tracker: subcommand on the first line, then NAME OCCURS INDEX "VALUE" with trailing spaces', () => {
  const spec = app(TRACKER);
  assert.is(out(spec, ['sit issue', 'list']), 'list\n');
  assert.is(out(spec, ['sit issue', 'show', 'abc-123']), 'show\nID 1 1 "abc-123" \n');
  assert.is(out(spec, ['sit issue']), '\n', 'no subcommand: an empty line');
  assert.is(out(spec, []), '\n');
  assert.is(out(spec, ['sit issue', 'help']), 'help\n', 'a declared help subcommand is an ordinary one');
});

test('values are quoted so that a shell eval gives them back', () => {
  const spec = app(TRACKER);
  assert.is(out(spec, ['sit issue', 'show', 'a "b" $(x) `y` \\z']), 'show\nID 1 1 "a \\"b\\" \\$(x) \\`y\\` \\\\z" \n');
});

test('help: clap 2 layout, the binary name with dashes in the title, sections sorted', () => {
  const spec = app(TRACKER);
  assert.is(
    helpMessage(spec, undefined),
    [
      'SIT Issue Tracking 0.5.0-dev',
      '',
      'USAGE:',
      '    SIT Issue Tracking [SUBCOMMAND]',
      '',
      'FLAGS:',
      '    -h, --help       Prints help information',
      '    -V, --version    Prints version information',
      '',
      'SUBCOMMANDS:',
      '    help    ',
      '    list    ',
      '    show    Show issue',
    ].join('\n'),
  );
  const top = exit(spec, ['sit issue', '--help']);
  assert.equal([top.stream, top.status], ['stdout', 0]);
  assert.ok(top.text.startsWith('sit-issue 0.5.0-dev\n\nUSAGE:\n    sit issue [SUBCOMMAND]\n'), top.text);
  const show = exit(spec, ['sit issue', 'show', '-h']);
  assert.is(
    show.text,
    'sit-issue-show \nShow issue\n\nUSAGE:\n    sit issue show <ID>\n\nFLAGS:\n    -h, --help       Prints help information\n    -V, --version    Prints version information\n\nARGS:\n    <ID>    \n',
  );
  assert.equal(exit(spec, ['sit issue', '-V']), { stream: 'stdout', status: 0, text: 'sit-issue 0.5.0-dev\n' });
});

test('errors: clap messages on stderr with the usage, exit 1', () => {
  const spec = app(TRACKER);
  assert.equal(exit(spec, ['sit issue', 'show']), {
    stream: 'stderr',
    status: 1,
    text: 'error: The following required arguments were not provided:\n    <ID>\n\nUSAGE:\n    sit issue show <ID>\n\nFor more information try --help\n',
  });
  assert.equal(exit(spec, ['sit issue', 'bogus']), {
    stream: 'stderr',
    status: 1,
    text: "error: Found argument 'bogus' which wasn't expected, or isn't valid in this context\n\nUSAGE:\n    sit issue [SUBCOMMAND]\n\nFor more information try --help\n",
  });
  assert.match(exit(spec, ['sit issue', 'show', 'a', 'b']).text, /Found argument 'b'/);
  assert.match(exit(spec, ['sit issue', '--bogus']).text, /Found argument '--bogus'/);
});

const OPTIONS = `name: opts
args:
  - flag: {short: f}
  - zed: {short: z}
  - big: {short: F}
  - option: {short: o, long: option, takes_value: true}
`;

test('indices as clap documents them: flags in a cluster, glued and separate option values', () => {
  const spec = app(
    `${OPTIONS}subcommands:\n  - run:\n${OPTIONS.replace(/^/gm, '      ').replace('      name: opts\n', '')}`,
  );
  assert.is(out(spec, ['myapp', 'run', '-f', '-o', 'val']), 'run\nflag 1 1 \noption 1 3 "val" \n');
  assert.is(out(spec, ['myapp', 'run', '-f', '-o=val']), 'run\nflag 1 1 \noption 1 3 "val" \n');
  assert.is(out(spec, ['myapp', 'run', '-fzF']), 'run\nflag 1 1 \nzed 1 2 \nbig 1 3 \n');
  assert.is(out(spec, ['myapp', 'run', '-fzFoval']), 'run\nflag 1 1 \nzed 1 2 \nbig 1 3 \noption 1 5 "val" \n');
  assert.is(out(spec, ['myapp', 'run', '--option=x']), 'run\noption 1 2 "x" \n');
  assert.is(out(spec, ['myapp', 'run', '--option', 'x']), 'run\noption 1 2 "x" \n');
  assert.match(exit(spec, ['myapp', 'run', '-f', '-f']).text, /The argument '-f' was provided more than once/);
  assert.match(
    exit(spec, ['myapp', 'run', '-o']).text,
    /The argument '--option <option>' requires a value but none was supplied/,
  );
});

test('multiple: option values continue until the next dash argument; positionals count each value', () => {
  const spec = app(`name: m
subcommands:
  - go:
      args:
        - verbose: {short: v, multiple: true}
        - tag: {short: t, takes_value: true, multiple: true}
        - mode: {long: mode, possible_values: [fast, slow], default_value: fast}
        - FILES: {multiple: true}
`);
  assert.is(
    out(spec, ['m', 'go', '-t', 'a', 'b', '-v', 'x', 'y', '-vv']),
    'go\nverbose 3 4 7 8 \ntag 1 2 3 "a" "b" \nmode 0 8 "fast" \nFILES 2 5 6 "x" "y" \n',
  );
  assert.is(out(spec, ['m', 'go', '--mode', 'slow', '--', '-v']), 'go\nmode 1 2 "slow" \nFILES 1 4 "-v" \n');
  assert.match(
    exit(spec, ['m', 'go', '--mode', 'warp']).text,
    /'warp' isn't a valid value for '--mode <mode>'\n\t\[values: fast, slow\]/,
  );
});

test('settings: the automatic help subcommand, SubcommandRequiredElseHelp, conflicts', () => {
  const spec = app(`name: tool
version: "1.0"
settings: [SubcommandRequiredElseHelp]
subcommands:
  - add:
      about: Add things
      args:
        - all: {short: a, conflicts_with: [NAME]}
        - NAME: {index: 1}
`);
  const help = exit(spec, ['tool', 'help', 'add']);
  assert.equal([help.stream, help.status], ['stdout', 0]);
  assert.ok(help.text.startsWith('tool-add \nAdd things\n\nUSAGE:\n    tool add [FLAGS] [NAME]\n'), help.text);
  assert.match(
    exit(spec, ['tool', 'help']).text,
    /SUBCOMMANDS:\n {4}add {5}Add things\n {4}help {4}Prints this message or the help of the given subcommand\(s\)/,
  );
  const bare = exit(spec, ['tool']);
  assert.equal([bare.stream, bare.status], ['stderr', 1]);
  assert.match(bare.text, /^tool 1\.0\n/);
  assert.match(exit(spec, ['tool', 'add', '-a', 'x']).text, /The argument '-a' cannot be used with '<NAME>'/);
});

test('specifications clap would refuse, or that this subset does not support, are named', () => {
  const cases: Array<[string, RegExp]> = [
    ['version: 1', /needs a `name`/],
    ['name: x\nsettings: [NoSuchSetting]', /unknown AppSetting "NoSuchSetting"/],
    ['name: x\nargs:\n  - a: {short: a, frobnicate: true}', /argument "a" of "x", key frobnicate: unknown setting/],
    ['name: x\nargs:\n  - a: {short: a, min_values: 2}', /key min_values: this setting is not supported by sit args/],
    ['name: x\nargs:\n  - a: {short: ab}', /a short name is one character/],
    ['name: x\nargs:\n  - a: {conflicts_with: b}', /names an unknown argument "b"/],
  ];
  for (const [yaml, message] of cases) {
    try {
      app(yaml);
      assert.unreachable(yaml);
    } catch (error) {
      assert.instance(error, ClapSpecError, yaml);
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
