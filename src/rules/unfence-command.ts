import path from 'node:path';
import { hidePassword } from '../util/hide-password.js';

/**
 * The break-glass command a fence error prints, as the user can run it: `drctl rules unfence` with the
 * store this step used (a file store as an absolute path: the step resolves it against the runbook's
 * folder, the command against the current one), its password replaced by *** (never printed).
 */
export function unfenceCommand(store: string, baseDir: string): string {
  let url = store;
  if (url.startsWith('file:')) url = `file:${path.resolve(baseDir, url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''))}`;
  else url = hidePassword(url);
  return `drctl rules unfence --store ${shellWord(url)} --yes`;
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
