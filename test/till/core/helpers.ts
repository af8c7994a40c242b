import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { silentLogger } from '../../../electron/core/errors.ts';
import { TillCore, type TillCoreOptions } from '../../../electron/core/till-core.ts';

const dirs: string[] = [];
const cores: TillCore[] = [];

afterEach(() => {
  for (const c of cores.splice(0)) c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder removed after the test. */
export function tempDir(prefix = 'till-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A core on a real SQLite file in a temp folder, closed after the test. */
export function makeCore(o: Partial<TillCoreOptions> = {}): TillCore {
  const core = new TillCore({ dataDir: o.dataDir ?? tempDir(), log: silentLogger, ...o });
  cores.push(core);
  return core;
}
