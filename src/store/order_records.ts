/**
 * Stored records in generation order ({@link orderGenerations} over what a
 * {@link RecordSource} reads), checked against their hashes as every read for reduction is
 * (SPEC §8).
 * @module
 */
import type { HashingAlgorithm } from './hash.ts';
import { orderGenerations } from './order.ts';
import { intactRecord, recordParents, recordTimestamp } from './record.ts';
import type { StoredRecord } from './record.ts';
import type { RecordSource } from './record_source.ts';

/**
 * Record `hash` of `source` (of item `item` when given) as {@link RecordSource.readRecord} reads
 * it, but checked like every read for reduction (SPEC §8): with integrity checking on (the
 * source's setting unless `integrity` is given), a damaged record is `{ damaged: true }`.
 */
export function readCheckedRecord(
  source: RecordSource,
  hash: string,
  options: { item?: string; integrity?: boolean } = {},
): StoredRecord | { damaged: true } | undefined {
  const record = source.readRecord(hash, options.item === undefined ? {} : { item: options.item });
  if (record === undefined) return undefined;
  if (!(options.integrity ?? source.integrity ?? true)) return record;
  return intactRecord(record, source.hashingAlgorithm) ?? { damaged: true };
}

/** A stored record with what ordering needs, derived from its files. */
function toNode(record: StoredRecord, source: { hashingAlgorithm: HashingAlgorithm; integrity?: boolean }) {
  let intact: boolean | undefined;
  if (source.integrity !== false) {
    const checked = intactRecord(record, source.hashingAlgorithm);
    intact = checked !== undefined;
    if (checked !== undefined) record = checked;
  }
  return {
    record,
    hash: record.hash,
    parents: recordParents(record),
    timestamp: recordTimestamp(record),
    intact,
  };
}

/**
 * Orders stored records into generations, dropping non-intact ones when `source.integrity` is on;
 * the hashes of the records dropped that way are added to `damaged` when it is given.
 */
export function orderStoredRecords(
  records: Iterable<StoredRecord>,
  source: { hashingAlgorithm: HashingAlgorithm; integrity?: boolean },
  options: { roots?: readonly string[]; damaged?: string[] } = {},
): StoredRecord[][] {
  const nodes = [...records].map((record) => toNode(record, source));
  if (options.damaged !== undefined) {
    for (const node of nodes) if (node.intact === false) options.damaged.push(node.hash);
  }
  return orderGenerations(nodes, options.roots === undefined ? {} : { roots: options.roots }).map((g) =>
    g.map((n) => n.record),
  );
}

/**
 * The records of item `id` in generation order with their files, each record read once: the bulk
 * read for reduction. With `integrity` (default: the source's setting, else true), records whose
 * content does not match their hash are left out.
 */
export function readItemRecords(
  source: RecordSource,
  id: string,
  options: { integrity?: boolean } = {},
): StoredRecord[] {
  const integrity = options.integrity ?? source.integrity ?? true;
  return orderStoredRecords(source.readItemRecords(id), {
    hashingAlgorithm: source.hashingAlgorithm,
    integrity,
  }).flat();
}

/** The repository's records in generation order with their files (optionally from fixed roots). */
export function readRepositoryRecords(
  source: RecordSource,
  options: { integrity?: boolean; roots?: readonly string[] } = {},
): StoredRecord[] {
  const integrity = options.integrity ?? source.integrity ?? true;
  const order = options.roots === undefined ? {} : { roots: options.roots };
  return orderStoredRecords(
    source.readAllRecords(),
    { hashingAlgorithm: source.hashingAlgorithm, integrity },
    order,
  ).flat();
}
