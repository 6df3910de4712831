// Makes the compiled `sit` entry point executable after `tsc` has emitted it.
import { chmodSync, existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);
