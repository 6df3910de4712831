// Creates an example SIT repository (`example/.sit` by default) with a dozen issues about SIT
// itself: comments, labels, assignees, milestones, closed issues and one merge request with a
// patch. Uses the compiled store (`npm run build` first). Usage: node scripts/make_example.mjs [DIR]
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const enc = new TextEncoder();

const PEOPLE = {
  ada: 'Ada Moreau <ada@example.org>',
  bo: 'Bo Lindqvist <bo@example.org>',
  chidi: 'Chidi Okafor <chidi@example.org>',
  dana: 'Dana Kowalski <dana@example.org>',
};

const PATCH = `From 3f1c2a9d4b5e6f708192a3b4c5d6e7f8091a2b3c Mon Sep 17 00:00:00 2001
From: Chidi Okafor <chidi@example.org>
Date: Tue, 4 Mar 2025 10:12:00 +0100
Subject: [PATCH] Highlight merge request patches on the issue page

Patches attached to MergeRequested records are read once per record
(records never change) and highlighted on the server, so the page needs
no client-side highlighter.
---
 src/web/issues.ts | 14 ++++++++++----
 templates/issue.ts |  6 +++++-
 2 files changed, 15 insertions(+), 5 deletions(-)

diff --git a/src/web/issues.ts b/src/web/issues.ts
index 4b1d2e0..9a7c3f1 100644
--- a/src/web/issues.ts
+++ b/src/web/issues.ts
@@ -118,12 +118,18 @@ export function mergeRequestView(repo, itemId, hash) {
   const record = repo.readRecord(hash, { item: itemId });
   if (record === undefined) return { hash, patches: [], missing: true };
-  const patches = record.files.filter((f) => f.name.startsWith('git/'));
-  return { hash, patches, missing: false };
+  const patches = [];
+  for (const file of record.files) {
+    if (!file.name.startsWith('git/') && !file.name.startsWith('patch/')) continue;
+    const text = decoder.decode(file.data);
+    patches.push({ name: file.name, html: highlightDiff(text), ...countLines(text) });
+  }
+  const view = { hash, patches, missing: false };
+  patchCache.set(hash, view);
+  return view;
 }
 
-// TODO: highlight on the client
+// Highlighted once per record: records are immutable.
diff --git a/templates/issue.ts b/templates/issue.ts
index 1c0ffee..b0ba5e5 100644
--- a/templates/issue.ts
+++ b/templates/issue.ts
@@ -40,7 +40,11 @@ function mergeRequestCard(mr, issueId) {
-    <pre>\${p.text}</pre>
+    <details class="patch" open>
+      <summary>\${p.name} +\${p.added} −\${p.removed}</summary>
+      <pre class="diff" hx-ignore><code>\${raw(p.html)}</code></pre>
+    </details>
 </section>\`;
-}
+}
-- 
2.39.5
`;

// Each issue: [summary, details, author, day offset, labels, assignees, milestone, events]
// events: ['comment', who, day, text] | ['close', who, day, text?] | ['reopen', who, day]
const ISSUES = [
  {
    summary: 'Record hash differs from the original for files larger than 4 KiB',
    details:
      'Records written by `sit record` with a patch file bigger than 4096 bytes get a different hash than the original SIT gives them.\n\n' +
      'The original feeds the **whole** 4096-byte read buffer to BLAKE2b after every read, including the final read that returns nothing, and never clears the buffer between files. So stale bytes are hashed too.\n\n' +
      '```text\n`a` = 5000 × "x"   expected 4ILMUBQTXWNXVY4QVZGAWFEKYCUJRKIM\n```',
    author: 'bo',
    day: 28,
    labels: ['bug', 'store'],
    assignees: ['Bo Lindqvist'],
    milestone: '0.6',
    events: [
      [
        'comment',
        'ada',
        27,
        'Confirmed with the test vectors in SPEC §1: everything up to 4096 bytes matches, 5000 bytes does not.',
      ],
      [
        'comment',
        'bo',
        26,
        'Fixed by keeping one shared buffer for all files of a record and hashing it in full after each read. All eight vectors pass now.',
      ],
      ['close', 'bo', 26],
    ],
  },
  {
    summary: 'Live updates miss records that arrive with `git pull --rebase`',
    details:
      'With `sit web` open, a `git pull` shows new comments within a second, but after `git pull --rebase` nothing changes until I reload.\n\n' +
      'Steps:\n\n1. open an issue in the browser\n2. in another clone, comment on it and push\n3. `git pull --rebase` here\n\nThe rebase rewrites `.sit/items/<id>/` through a temporary checkout, so the directory watch may be replaced.',
    author: 'dana',
    day: 9,
    labels: ['bug', 'web'],
    assignees: ['Chidi Okafor'],
    milestone: '0.7',
    events: [
      [
        'comment',
        'chidi',
        8,
        'I can reproduce it when the item directory itself is re-created. Watching `items/` catches the new directory, but we should rescan the item at that moment.',
      ],
      ['comment', 'dana', 2, 'Still happens on my machine with a large repository (about 4 000 items).'],
    ],
  },
  {
    summary: 'Document the query language with examples',
    details:
      'The web search box and `sit issue list` take the same queries, but the only documentation is the table in the module README.\n\n' +
      'A page with worked examples would help:\n\n- `is:open label:bug sort:updated-desc`\n- `assignee:dana -label:wontfix`\n- `"exact phrase" no:milestone`',
    author: 'ada',
    day: 20,
    labels: ['docs', 'good first issue'],
    assignees: [],
    milestone: '0.7',
    events: [
      [
        'comment',
        'chidi',
        19,
        'Happy to review one. Please also mention that values with spaces need quotes: `label:"good first issue"`.',
      ],
    ],
  },
  {
    summary: 'Show merge request patches as highlighted diffs',
    details:
      'Solution: read the `git/*.patch` files of every `MergeRequested` record once (records never change) and highlight them on the server, so the issue page needs no client-side highlighter.\n\nMerge with `sit mr-merge` once reviewed.',
    author: 'chidi',
    day: 6,
    labels: ['web', 'enhancement'],
    assignees: ['Chidi Okafor'],
    milestone: '0.6',
    mergeRequest: true,
    events: [
      ['comment', 'ada', 5, 'Looks good. The `+`/`−` counts in the summary line are a nice touch.'],
      ['comment', 'bo', 1, 'Could the raw link open the patch as plain text? Then it is easy to `curl` into `git am`.'],
    ],
  },
  {
    summary: 'QuickJS worker stuck in a long regular expression never recovers',
    details:
      'A reducer with a catastrophic regular expression (`/(a+)+$/` on a long string) blocks the worker inside one native call, so the interrupt handler never runs and the per-item deadline does not fire.',
    author: 'ada',
    day: 24,
    labels: ['bug', 'sandbox'],
    assignees: ['Ada Moreau'],
    milestone: '0.6',
    events: [
      [
        'comment',
        'ada',
        23,
        'The watchdog now terminates the worker after twice the deadline and respawns it; the item gets an `errors` entry naming the limit and the reducer.',
      ],
      ['close', 'ada', 22, 'Fixed with the watchdog; see the sandbox limit tests.'],
    ],
  },
  {
    summary: 'Dark mode for the web UI',
    details: 'Follow `prefers-color-scheme`. The yellow top bar should stay recognisable.',
    author: 'dana',
    day: 3,
    labels: ['web', 'enhancement'],
    assignees: [],
    milestone: '',
    events: [],
  },
  {
    summary: '`sit integrity` should name the damaged file of a record',
    details:
      'When a record does not match its hash, `sit integrity` prints only the record. For a record with twenty files it would help to know which one changed (size, or the file missing altogether).',
    author: 'bo',
    day: 15,
    labels: ['store', 'enhancement'],
    assignees: ['Bo Lindqvist'],
    milestone: '0.7',
    events: [
      [
        'comment',
        'dana',
        14,
        'In our corpus two records lost a multi-megabyte `git/*.patch`; naming the missing file would have saved an hour.',
      ],
    ],
  },
  {
    summary: 'Support `no:milestone` in queries',
    details: 'I want to find open issues that nobody planned yet: `is:open no:milestone`.',
    author: 'dana',
    day: 18,
    labels: ['query'],
    assignees: [],
    milestone: '0.6',
    events: [
      [
        'comment',
        'chidi',
        17,
        'Added together with `no:label` and `no:assignee`; `-no:milestone` finds the planned ones.',
      ],
      ['close', 'chidi', 17],
    ],
  },
  {
    summary: 'Keyboard shortcuts for the issue list',
    details:
      '`/` to focus the search box, `j`/`k` to move between issues, `o` to open one. Must not fire while typing in a text field.',
    author: 'chidi',
    day: 11,
    labels: ['web', 'accessibility'],
    assignees: [],
    milestone: '',
    events: [['comment', 'ada', 10, 'Whatever we do, every action must stay reachable with Tab and Enter as well.']],
  },
  {
    summary: 'Reduction cache should survive reordering of module directories',
    details:
      'The cache key is a digest of the reducer set. Renaming a module directory changes the order of reducers and thus the digest, and every item is reduced again (about 10 s on 10 000 items).',
    author: 'bo',
    day: 13,
    labels: ['reducers', 'performance'],
    assignees: ['Ada Moreau', 'Bo Lindqvist'],
    milestone: '0.7',
    events: [
      [
        'comment',
        'ada',
        12,
        'Order matters for correctness though: reducers run in order and may depend on each other. I would keep the order in the key.',
      ],
      [
        'comment',
        'bo',
        12,
        'Fair. Then let us at least make the digest independent of the absolute path of the module.',
      ],
    ],
  },
  {
    summary: 'Upgrading a repository from the `issues/` layout loses nothing',
    details:
      'Add a test that upgrades an old repository (`issues/` with legacy record directories) and compares every item state before and after.',
    author: 'ada',
    day: 30,
    labels: ['store', 'tests'],
    assignees: ['Dana Kowalski'],
    milestone: '0.6',
    events: [
      [
        'comment',
        'dana',
        29,
        'Done: the upgrade test builds a 0.3-style repository, upgrades it and checks states, hashes and item links.',
      ],
      ['close', 'dana', 29],
      ['reopen', 'ada', 21],
      ['comment', 'ada', 21, 'Reopening: an item whose link file has a trailing newline is skipped by the upgrade.'],
      ['comment', 'dana', 20, 'Trailing white space in link files is now trimmed, as the original did. Test added.'],
      ['close', 'dana', 20],
    ],
  },
  {
    summary: 'Web list should remember the last query',
    details: 'After opening an issue and going back, the list shows the default `is:open` again instead of my search.',
    author: 'dana',
    day: 4,
    labels: ['web'],
    assignees: [],
    milestone: '',
    events: [
      ['comment', 'chidi', 0.2, 'The search now pushes its address (`/?q=…`), so Back returns to the same query.'],
    ],
  },
  {
    summary: 'Explain sharing a tracker over git in the README',
    details:
      'Records are immutable, content-addressed files that are only ever added, so two clones never conflict. The README should show the three commands it takes: `git add .sit && git commit`, `git pull`, `git push`.',
    author: 'chidi',
    day: 16,
    labels: ['docs'],
    assignees: [],
    milestone: '0.6',
    events: [['close', 'ada', 7, 'Covered in the README now.']],
  },
];

function at(day) {
  return new Date(Date.now() - day * 86400_000).toISOString();
}

function files(types, who, day, text, extra = []) {
  const out = types.map((t) => ({ name: `.type/${t}`, data: new Uint8Array(0) }));
  out.push({ name: '.authors', data: enc.encode(PEOPLE[who]) });
  out.push({ name: '.timestamp', data: enc.encode(at(day)) });
  if (text !== undefined) out.push({ name: 'text', data: enc.encode(text) });
  return out.concat(extra);
}

/** Creates the example repository in `dir/.sit`; returns its path. */
export async function makeExample(dir) {
  const { Repository } = await import('../dist/src/store/mod.js');
  const { path, created } = Repository.init(dir);
  if (!created) throw new Error(`${path} already exists; remove it to make a new example`);
  mkdirSync(join(path, 'modules'), { recursive: true });
  const moduleDir = join(root, 'modules', 'issue-tracking');
  symlinkSync(relative(join(path, 'modules'), moduleDir), join(path, 'modules', 'issue-tracking'));
  const repo = Repository.open(path);
  for (const issue of ISSUES) {
    const id = repo.newItem();
    const who = issue.author;
    const day = issue.day;
    repo.newRecord(files(['SummaryChanged'], who, day, issue.summary), { itemId: id });
    if (issue.mergeRequest) {
      repo.newRecord(
        files(['DetailsChanged', 'MergeRequested'], who, day - 0.001, issue.details, [
          { name: 'git/0001-Highlight-merge-request-patches-on-the-issue-page.patch', data: enc.encode(PATCH) },
        ]),
        { itemId: id },
      );
    } else {
      repo.newRecord(files(['DetailsChanged'], who, day - 0.001, issue.details), { itemId: id });
    }
    if (issue.labels.length > 0) {
      repo.newRecord(
        files(['LabelsChanged'], who, day - 0.002, undefined, [
          { name: 'added', data: enc.encode(issue.labels.join('\n') + '\n') },
        ]),
        { itemId: id },
      );
    }
    if (issue.assignees.length > 0) {
      repo.newRecord(
        files(['AssigneesChanged'], who, day - 0.003, undefined, [
          { name: 'added', data: enc.encode(issue.assignees.join('\n') + '\n') },
        ]),
        { itemId: id },
      );
    }
    if (issue.milestone !== '') {
      repo.newRecord(
        files(['MilestoneChanged'], who, day - 0.004, undefined, [
          { name: 'milestone', data: enc.encode(issue.milestone) },
        ]),
        { itemId: id },
      );
    }
    for (const [kind, person, d, text] of issue.events) {
      if (kind === 'comment') repo.newRecord(files(['Commented'], person, d, text), { itemId: id });
      if (kind === 'close')
        repo.newRecord(files(text === undefined ? ['Closed'] : ['Commented', 'Closed'], person, d, text), {
          itemId: id,
        });
      if (kind === 'reopen') repo.newRecord(files(['Reopened'], person, d), { itemId: id });
    }
  }
  return path;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(root, 'example'));
  if (!existsSync(join(root, 'dist', 'src', 'store', 'mod.js'))) {
    console.error('make_example: build the project first (npm run build)');
    process.exit(1);
  }
  mkdirSync(dir, { recursive: true });
  try {
    const path = await makeExample(dir);
    console.log(`Example repository created in ${path}`);
  } catch (error) {
    console.error(`make_example: ${error.message}`);
    process.exit(1);
  }
}
