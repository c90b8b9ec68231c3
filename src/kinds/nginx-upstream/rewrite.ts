import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../../util/write-file-atomic.js';
import { isStepError, stepError, type KindContext } from '../../model/kind.js';
import { masterPid, nginxArgv, reloadAndWait, targetOf, testConfig } from './nginx-process.js';
import { timeoutOf } from './observe.js';
import type { NginxUpstreamParams } from './params.js';

/** Time kept to put the previous file back (a local write and rename). */
const PUT_BACK_RESERVE_MS = 300;
const MIN_LEFT_MS = 1000;

/**
 * Put `to` in the include file and have the running nginx serve it: write it atomically (a temp file
 * beside it, mode and owner kept, renamed over it), `nginx -t` with the estate's own -p/-c, then a
 * graceful reload proven by a new generation of workers. A config nginx rejects is never reloaded, and
 * whatever fails, the previous content is put back (nginx keeps serving the old config): the step then
 * fails naming nginx's message and changed nothing. `from` is the content observed: a file changed
 * since (someone else's edit) is not overwritten.
 */
export async function rewriteAndReload(p: NginxUpstreamParams, file: string, from: string, to: string, ctx: KindContext): Promise<void> {
  const t = targetOf(p, ctx.baseDir);
  const left = ctx.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  if (left < MIN_LEFT_MS) {
    throw stepError(
      `refusing to rewrite ${file}: the step has ${Math.round(left)}ms left, want at least ${MIN_LEFT_MS}ms (nginx -t, the reload, and time to put the file back): raise the step's timeout`,
      { retryable: false, unchanged: true },
    );
  }
  // the checks and the wait end before the step's deadline, so the previous file is back within it
  const timeoutMs = Math.min(timeoutOf(p), left - PUT_BACK_RESERVE_MS);
  const master = await masterPid(t);
  if (master === null) throw stepError(`nginx is not running (no live master pid in ${t.pidFile})`, { unchanged: true });
  const [current, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  if (current !== from && current !== to) {
    throw stepError(`nginx ${file} changed since it was read (someone else's edit?): not overwritten; the step observes it again`, {
      unchanged: true,
    });
  }
  const changed = current !== to;
  const putBack = async (): Promise<void> => {
    if (changed) await writeFileAtomic(file, current, { keep: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } });
  };
  if (changed) {
    ctx.progress(`writing ${file}`);
    await writeFileAtomic(file, to, { keep: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } });
  }
  try {
    ctx.progress(`nginx -t (${nginxArgv(t).slice(1).join(' ')})`);
    const rejected = await testConfig(t, ctx, timeoutMs);
    if (rejected !== null) {
      throw stepError(`nginx -t rejected the new ${file}: ${rejected}`, { retryable: false, unchanged: true });
    }
    ctx.progress(`reloading nginx (master pid ${master})`);
    await reloadAndWait(t, master, ctx, p.reload ?? 'signal', timeoutMs);
  } catch (e) {
    await putBack();
    if (changed && e instanceof Error && /did not load/.test(e.message)) {
      // the master may still read the file when it gets to the signal (a frozen or busy master): it now reads the old one
      await ctx.exec(nginxArgv(t, '-s', 'reload'), { timeoutMs }).catch(() => undefined);
    }
    const msg = e instanceof Error ? e.message : String(e);
    const back = changed ? '; the previous file was put back (nginx keeps serving the old config)' : '';
    throw stepError(`${msg}${back}`, { retryable: isStepError(e) ? e.retryable : true, unchanged: true, cause: e });
  }
}
