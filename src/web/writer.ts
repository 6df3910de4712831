/**
 * Writing records from the web: every record carries `.type/<T>` markers, `.authors` and
 * `.timestamp`; it is signed when the user configuration asks for it; afterwards the item is
 * re-reduced at once and the change announced, so the next page already shows it.
 * @module
 */
import type { RecordFile } from '../store/hash.ts';
import { signRecordHash } from '../store/signing.ts';
import { createItem } from '../tracker/new_item.ts';
import type { ChangeFeed } from './changes.ts';
import type { ItemSource, RecordStore } from './source.ts';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** How records get signed, from the user configuration's `signing`. */
export interface SigningOptions {
  enabled: boolean;
  key?: string | undefined;
  gnupg?: string | undefined;
}

/** Options for {@linkcode Writer}. */
export interface WriterOptions {
  repo: RecordStore;
  index: ItemSource;
  feed: ChangeFeed;
  /** The `.authors` text (`Name <email>`). */
  authors: string;
  signing?: SigningOptions | undefined;
}

/** Writes records for the web server. */
export class Writer {
  readonly #o: WriterOptions;

  /** Creates a writer. */
  constructor(options: WriterOptions) {
    this.#o = options;
  }

  /**
   * The files of a record of `types` (e.g. `['Commented', 'Closed']`) with `.authors`,
   * `.timestamp` (now) and, when given, `text` plus `extra` files.
   */
  files(types: readonly string[], text?: string, extra: readonly RecordFile[] = []): RecordFile[] {
    const files: RecordFile[] = types.map((t) => ({ name: `.type/${t}`, data: EMPTY }));
    files.push({ name: '.authors', data: encoder.encode(this.#o.authors) });
    files.push({ name: '.timestamp', data: encoder.encode(new Date().toISOString()) });
    if (text !== undefined) files.push({ name: 'text', data: encoder.encode(text) });
    files.push(...extra);
    return files;
  }

  /** The `.authors` text of the records this writer makes. */
  get authors(): string {
    return this.#o.authors;
  }

  /** Creates an item and returns its id. */
  newItem(): string {
    return this.#o.repo.newItem();
  }

  /**
   * Creates an item with its first records (each the files of one record, from
   * {@linkcode Writer.files}) in one step: the records are written, then the item, so that a
   * failure leaves no half-made item. Returns the item's id (`id`, or a new UUID).
   */
  newItemWith(records: RecordFile[][], id?: string): string {
    return createItem(this.#o.repo, records, { id, sign: this.#sign() });
  }

  #sign(): ((hash: string) => Uint8Array) | undefined {
    const signing = this.#o.signing;
    return signing?.enabled ? (hash: string) => signRecordHash(hash, { gnupg: signing.gnupg, key: signing.key }) : undefined;
  }

  /**
   * Writes `files` as a record of item `itemId` (or of the repository when undefined) and
   * returns its hash. Parents are linked unless `linkParents` is false.
   */
  write(itemId: string | undefined, files: RecordFile[], options: { linkParents?: boolean } = {}): string {
    const signing = this.#o.signing;
    const sign = signing?.enabled
      ? (hash: string) => signRecordHash(hash, { gnupg: signing.gnupg, key: signing.key })
      : undefined;
    return this.#o.repo.newRecord(files, {
      ...(itemId === undefined ? {} : { itemId }),
      linkParents: options.linkParents ?? true,
      ...(sign === undefined ? {} : { sign }),
    });
  }

  /** Re-reduces `ids` now and announces the items whose states changed. */
  async settle(ids: string[]): Promise<void> {
    const changed = await this.#o.index.refresh(ids);
    this.#o.feed.publish(changed);
  }
}

/** Encodes text as UTF-8. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
