import { decodeMap, encodeMap } from './shard-map.js';
import { CHANGE_KINDS, type RuleUpdate, type RuleVersion, type VersionDocument } from './store.js';

export function toVersionDocument(version: number, update: RuleUpdate, atIso: string): VersionDocument {
  return { version, kind: update.kind, atIso, map: encodeMap(update.map), fence: update.fence };
}

/** Parse a stored version; a malformed document is an error naming the store. */
export function fromVersionDocument(json: string, where: string): RuleVersion {
  let doc: VersionDocument;
  try {
    doc = JSON.parse(json) as VersionDocument;
  } catch (e) {
    throw new Error(`${where}: stored rules are not JSON`, { cause: e });
  }
  if (!Number.isInteger(doc.version) || !CHANGE_KINDS.includes(doc.kind) || !Array.isArray(doc.map?.runs)) {
    throw new Error(`${where}: stored rules have an unexpected shape`);
  }
  return { version: doc.version, kind: doc.kind, atIso: doc.atIso, map: decodeMap(doc.map), fence: doc.fence ?? null };
}
