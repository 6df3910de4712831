/**
 * `sit --at REV integrity`: every record of a revision checked strictly, as `sit integrity` checks
 * the working tree: each item's records (items sorted), then those of `records/`. A record is
 * intact when it holds only plain files (no symbolic link, executable, submodule or odd name), every
 * blob is in the clone, and its files hash to its name.
 * @module
 */
import { isIntact, prepareHashing, type IntegrityReport } from '../store/mod.ts';
import { listRecords } from './listing.ts';
import type { RecordPlace, Revision } from './revision.ts';

/** Checks every record of `revision`. */
export async function checkRevisionIntegrity(revision: Revision): Promise<IntegrityReport> {
  await prepareHashing();
  const report: IntegrityReport = {
    checked: [],
    itemDamage: [],
    repositoryDamage: [],
    removedTemporaries: [],
    problems: [],
  };
  const records = await revision.recordsTree();
  const index = records === undefined ? undefined : await listRecords(revision.git, records, revision.recordDepth);
  const known = new Map<string, boolean>();
  const examine = async (place: RecordPlace): Promise<boolean | undefined> => {
    const key = `${place.hash}\0${place.tree ?? place.problem ?? ''}`;
    if (known.has(key)) return known.get(key);
    const read = await revision.readRecord(place);
    const intact = read === undefined ? undefined : !read.missing && isIntact(read.record, revision.hashingAlgorithm);
    if (intact !== undefined) known.set(key, intact);
    return intact;
  };
  const reported = new Set<string>();
  const ids = await revision.listItems();
  for (let at = 0; at < ids.length; at += 64) {
    const window = ids.slice(at, at + 64);
    const listings = await Promise.all(window.map((id) => revision.itemListing(id, index)));
    const results = await Promise.all(listings.map((listing) => Promise.all((listing?.places ?? []).map(examine))));
    listings.forEach((listing, i) => {
      listing?.places.forEach((place, j) => {
        const intact = results[i]![j];
        if (intact === undefined) {
          report.problems.push({
            item: window[i]!,
            path: `items/${window[i]!}/${place.hash}`,
            reason: `record ${place.hash} is missing at this revision`,
          });
          return;
        }
        report.checked.push({ hash: place.hash, intact, item: window[i]! });
        if (!intact) {
          report.itemDamage.push({ item: window[i]!, hash: place.hash });
          reported.add(place.hash);
        }
      });
    });
  }
  const places = await revision.recordPlaces(index);
  for (let at = 0; at < places.length; at += 128) {
    const window = places.slice(at, at + 128);
    const results = await Promise.all(window.map(examine));
    window.forEach((place, i) => {
      const intact = results[i];
      if (intact === undefined) return;
      report.checked.push({ hash: place.hash, intact });
      if (!intact && !reported.has(place.hash)) report.repositoryDamage.push(place.hash);
    });
  }
  return report;
}
