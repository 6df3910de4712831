/**
 * Writing records from the web: every record carries `.type/<T>` markers, `.authors` and
 * `.timestamp`; it is signed when the user configuration asks for it; afterwards the item is
 * re-reduced at once and the change announced, so the next page already shows it.
 * @module
 */
import { composeRecord, recordSigner, type RecordSigning } from '../store/compose.ts';
import type { RecordFile } from '../store/hash.ts';
import { createItem } from '../tracker/new_item.ts';
import type { ChangeFeed } from './changes.ts';
import type { ItemSource, RecordStore } from './source.ts';

const encoder = new TextEncoder();

/** How records get signed, from the user configuration's `signing`. */
export type SigningOptions = RecordSigning;

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
    const own: RecordFile[] =
      text === undefined ? [...extra] : [{ name: 'text', data: encoder.encode(text) }, ...extra];
    return composeRecord(own, { types, author: this.#o.authors });
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
    return recordSigner(this.#o.signing);
  }

  /**
   * Writes `files` as a record of item `itemId` (or of the repository when undefined) and
   * returns its hash. Parents are linked unless `linkParents` is false.
   */
  write(itemId: string | undefined, files: RecordFile[], options: { linkParents?: boolean } = {}): string {
    const sign = this.#sign();
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
