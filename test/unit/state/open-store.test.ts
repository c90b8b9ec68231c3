import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/state/open-store.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

let tmp: Awaited<ReturnType<typeof makeTmpDir>> | undefined;
afterEach(async () => tmp?.cleanup());

describe('openStateStore: the one place every command opens --state', () => {
  it('a path that is a file, or lies under one, is refused (exit 3) naming --state or DRCTL_STATE; nothing is created', async () => {
    tmp = await makeTmpDir();
    const file = path.join(tmp.dir, 'passwd');
    await writeFile(file, 'root:x:0:0\n');
    await expect(openStateStore(file, {})).rejects.toMatchObject({ exitCode: 3, message: `--state ${file}: is a file, not a folder` });
    await expect(openStateStore(file, { DRCTL_STATE: file })).rejects.toMatchObject({
      exitCode: 3,
      message: `DRCTL_STATE=${file}: is a file, not a folder`,
    });
    await expect(openStateStore(path.join(file, 'sub'), {})).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^--state .*\/passwd\/sub: a part of the path is a file/),
    });
  });

  it('a folder, or a path not made yet, opens (the folder store creates it on first write)', async () => {
    tmp = await makeTmpDir();
    await mkdir(path.join(tmp.dir, 'state'));
    for (const dir of [path.join(tmp.dir, 'state'), path.join(tmp.dir, 'new')]) {
      const store = await openStateStore(dir, {});
      expect(await store.listRuns()).toEqual([]);
      await store.close();
    }
  });
});
