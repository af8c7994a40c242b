/**
 * Is a build output older than its sources? `npm start` rebuilds the till when it is, so an edit to the
 * renderer or to shared/ is never served from a stale bundle.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIP = new Set(['node_modules', '.git', 'dist', 'dist-electron']);

/** The newest modification time (ms) of the files under `paths` (files or folders); 0 when there are none. */
export function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      return; // a source that does not exist cannot be newer than anything
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (!SKIP.has(e)) visit(join(p, e));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) visit(p);
  return newest;
}

/** True when `output` is missing or any file under `sources` was modified after it. */
export function isStale(output: string, sources: string[]): boolean {
  let built: number;
  try {
    built = statSync(output).mtimeMs;
  } catch {
    return true;
  }
  return newestMtime(sources) > built;
}
