#!/usr/bin/env node
/**
 * The `sit` command line as an ES module (the whole of it is src/cli/main.ts). The installed
 * `sit` is src/sit.ts, which starts sooner and ends up here for anything a daemon does not answer.
 * @module
 */
import { runCli } from './cli/main.ts';

void runCli(process.argv.slice(2));
