/** Packing an item's records into one buffer and one meta string: one host→guest call per item. */
import type { ReduceJob } from './types.ts';

/** An item ready to cross into the sandbox (or to a worker, transferring `buf`). */
export interface PackedItem {
  id: string;
  /** The initial state as JSON. */
  state: string;
  /** Tab-separated: for each record its hash, its number of files, then the file names. */
  meta: string;
  /** A little-endian Uint32 file count F, F Uint32 file lengths, then every file's bytes back to back. */
  buf: ArrayBuffer;
  /** How many records the item has. */
  records: number;
}

const NEEDS_ESCAPE = /[\\\t\n]/;

function escapeField(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[\\\t\n]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\\\'));
}

/** Packs a job's records (the job itself is left untouched). */
export function packJob(job: ReduceJob): PackedItem {
  const records = job.records;
  let count = 0;
  let total = 0;
  for (let r = 0; r < records.length; r++) {
    const files = records[r]!.files;
    count += files.length;
    for (let f = 0; f < files.length; f++) total += files[f]![1].byteLength;
  }
  const buf = new ArrayBuffer(4 + 4 * count + total);
  const header = new Uint32Array(buf, 0, 1 + count);
  const bytes = new Uint8Array(buf);
  header[0] = count;
  const fields: string[] = [];
  let file = 1;
  let offset = 4 + 4 * count;
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    fields.push(escapeField(record.hash), String(record.files.length));
    for (let f = 0; f < record.files.length; f++) {
      const [name, data] = record.files[f]!;
      fields.push(escapeField(name));
      header[file++] = data.byteLength;
      bytes.set(data, offset);
      offset += data.byteLength;
    }
  }
  return { id: job.id, state: JSON.stringify(job.state), meta: fields.join('\t'), buf, records: records.length };
}

/** The hash of the `index`th record of a packed item, or undefined. */
export function packedRecordHash(item: PackedItem, index: number): string | undefined {
  if (item.meta === '') return undefined;
  const fields = item.meta.split('\t');
  let p = 0;
  for (let r = 0; r < index && p < fields.length; r++) p += 2 + Number(fields[p + 1]);
  const hash = fields[p];
  return hash === undefined
    ? undefined
    : hash.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c));
}
