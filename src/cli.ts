#!/usr/bin/env node
/** The `sit` command line. */
console.log('sit');
