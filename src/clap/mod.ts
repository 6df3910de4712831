/**
 * A clap 2 compatible argument parser for shell scripts (`sit args`, original-sit.md §4.21): an
 * application specification in clap's YAML, matched against a command line, with clap's help,
 * usage, version and error texts.
 * @module
 */
export { parseYaml, YamlError, type YamlValue } from './yaml.ts';
export { appFromYamlDocument, ClapSpecError, type AppSpec, type ArgSpec } from './spec.ts';
export { helpMessage, usage, versionText } from './help.ts';
export { formatMatches, parseArgs, type MatchedArg, type Matches, type ParseOutcome } from './parse.ts';
