import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InspectionMeta, InspectionRecord } from '../model/inspection.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';

/** The folder store's inspections: STATE_DIR/inspections/<id>.json (the record) and <id>.meta.json (its header, for history). */
const dirOf = (stateDir: string): string => path.join(stateDir, 'inspections');

/** The header `history` lists: the record without its body. */
export function inspectionMeta(r: InspectionRecord): InspectionMeta {
  const { schemaVersion, kind, id, startedAt, durationMs, host, user, runbooks, findings, appeared, resolved } = r;
  return { schemaVersion, kind, id, startedAt, durationMs, host, user, runbooks, findings, appeared, resolved };
}

/** Newest first (ids sort by their start time). */
export const byNewest = (a: InspectionMeta, b: InspectionMeta): number =>
  b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id);

export async function saveInspectionFiles(stateDir: string, record: InspectionRecord): Promise<void> {
  await mkdir(dirOf(stateDir), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(dirOf(stateDir), `${record.id}.json`), `${JSON.stringify(record)}\n`);
  // the header last: history lists an inspection only once its record is complete
  await writeFileAtomic(path.join(dirOf(stateDir), `${record.id}.meta.json`), `${JSON.stringify(inspectionMeta(record))}\n`);
}

export async function listInspectionFiles(stateDir: string): Promise<InspectionMeta[]> {
  // none yet; any other error (a file in the way, unreadable) is told, not read as "no inspections"
  const names = await readdir(dirOf(stateDir)).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
    throw e;
  });
  const metas = await Promise.all(
    names
      .filter((n) => n.endsWith('.meta.json'))
      .map(async (n) => {
        try {
          return JSON.parse(await readFile(path.join(dirOf(stateDir), n), 'utf8')) as InspectionMeta;
        } catch {
          return undefined;
        }
      }),
  );
  return metas.filter((m): m is InspectionMeta => m !== undefined).sort(byNewest);
}

export async function readInspectionFile(stateDir: string, id: string): Promise<InspectionRecord | undefined> {
  if (!/^[\w.-]+$/.test(id)) return undefined;
  try {
    return JSON.parse(await readFile(path.join(dirOf(stateDir), `${id}.json`), 'utf8')) as InspectionRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
