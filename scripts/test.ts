/**
 * The README's test command (`npm test`). Runs every suite with real parts and prints one plain
 * "N passed, N failed" line per runner at the end (CI reads those; Vitest's and Playwright's own summaries are
 * not recognised):
 *   vitest:     all unit, repository, route, provider, sandbox and till-core tests (server on SQLite);
 *   attacks:    test/server/attacks.test.ts on its own (it measures latency under attack);
 *   postgres:   the server suite again against PostgreSQL when TEST_DATABASE_URL is set (CI sets it), then
 *               postgres-attacks, its attack tests on their own;
 *   playwright: the end-to-end tests in Chromium through the till web host and the manager dashboard (after
 *               building both).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, '.test-output');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

type Tally = { label: string; passed: number; failed: number; exit: number | null };
const tallies: Tally[] = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): number | null {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status;
}

type VitestJson = { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number; success: boolean };
function vitest(label: string, args: string[], env: Record<string, string> = {}): void {
  const file = join(out, `${label}.json`);
  const exit = run(
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`, ...args],
    env,
  );
  if (!existsSync(file)) {
    tallies.push({ label, passed: 0, failed: 1, exit });
    return;
  }
  const j = JSON.parse(readFileSync(file, 'utf8')) as VitestJson;
  // A suite that fails to load counts no test; count the run itself as a failure so it cannot pass silently.
  const failed = j.numFailedTests + (exit !== 0 && j.numFailedTests === 0 ? 1 : 0);
  tallies.push({ label, passed: j.numPassedTests, failed, exit });
}

type PwStats = { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
function playwright(): void {
  const specs =
    existsSync(join(root, 'test/e2e')) && readdirSync(join(root, 'test/e2e')).some((f) => f.endsWith('.spec.ts'));
  if (!specs) return;
  // The till's screen and the manager dashboard the sync-server serves at /admin/.
  const tillBuild = run('npm', ['run', '--silent', 'build:renderer']);
  const build = tillBuild === 0 ? run('npm', ['run', '--silent', 'build:admin']) : tillBuild;
  if (build !== 0) {
    tallies.push({ label: 'playwright', passed: 0, failed: 1, exit: build });
    return;
  }
  const file = join(out, 'playwright.json');
  const exit = run(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: file });
  if (!existsSync(file)) {
    tallies.push({ label: 'playwright', passed: 0, failed: 1, exit });
    return;
  }
  const { stats } = JSON.parse(readFileSync(file, 'utf8')) as PwStats;
  const failed = stats.unexpected + (exit !== 0 && stats.unexpected === 0 ? 1 : 0);
  if (stats.flaky > 0)
    console.log(`playwright: ${stats.flaky} spec(s) passed only on their retry (flaky): see the list above`);
  tallies.push({ label: 'playwright', passed: stats.expected + stats.flaky, failed, exit });
}

// The attack tests measure the server's latency while it is attacked (issue 6) and print it beside a no-attack
// baseline: they run on their own, not beside other suites competing for the same cores.
const ALONE = 'test/server/attacks.test.ts';
const only = process.argv[2];
if (!only || only === 'vitest') {
  vitest('vitest', ['--exclude', ALONE]);
  vitest('attacks', [ALONE]);
}
if ((!only || only === 'postgres') && process.env.TEST_DATABASE_URL) {
  const env = { KQ_TEST_DATABASE_URL: process.env.TEST_DATABASE_URL };
  // The server suite and the sync chaos test again, on PostgreSQL.
  vitest('postgres', ['test/server', 'test/chaos', '--exclude', ALONE], env);
  vitest('postgres-attacks', [ALONE], env);
}
if (!only || only === 'playwright') playwright();

console.log('');
for (const t of tallies) console.log(`${t.label}: ${t.passed} passed, ${t.failed} failed`);
process.exit(tallies.some((t) => t.failed > 0 || t.exit !== 0) ? 1 : 0);
