import { PG_OS_USER } from './postgres.js';
import { placePrivateRoot, removePrivateRoot } from './private-root.js';

export const PRIVATE_PG_PREFIX = 'drctl-lab-pg-';

/**
 * Where the lab's PostgreSQL data goes: DIR/pg, or a private folder under /tmp linked from DIR/pg when
 * the postgres user cannot reach the lab folder (private-root.ts; db.primary resolves the link itself).
 */
export const placePgRoot = (labDir: string): Promise<{ root: string; privateRoot?: string }> =>
  placePrivateRoot(labDir, 'pg', PG_OS_USER, PRIVATE_PG_PREFIX);

/** Remove a private PostgreSQL folder the lab made (only one of ours: under /tmp, with our prefix). */
export const removePrivatePgRoot = (privateRoot: string | undefined): Promise<void> => removePrivateRoot(privateRoot, PRIVATE_PG_PREFIX);
