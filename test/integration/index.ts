// The mocha test index VS Code loads into the extension host (`extensionTestsPath`). Both launchers
// (runInCodeServer.mjs and runWithElectron.mjs) point at the compiled out/test/integration/index.js.
// The launchers talk to it only through environment variables set on the VS Code process, because
// those reach the extension host and the payload's `extensionEnvironment` does not (in code-server).
//
//   CREDCHECK_TEST_SUITE_DIR   compiled folder whose **/*.test.js are loaded (default: ./suite beside this file)
//   CREDCHECK_TEST_GREP        a regular expression the full test title must match
//   CREDCHECK_TEST_TAG_MODE    "exclude-untrusted" (trusted pass) or "only-untrusted" (untrusted pass)
//   CREDCHECK_TEST_RESULTS     where to write the results JSON the launcher summarises
//   CREDCHECK_TEST_TIMEOUT_MS  per-test timeout (default 5 minutes: a guard against a hang, never a speed assumption;
//                              the tests wait for states, see waitFor.ts)
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { buildGrep } from './grep';
import { pendingWaits } from './waitFor';

export { buildGrep, untrustedTag } from './grep';

/** The results file's shape; runInCodeServer.mjs reads it. */
export interface IntegrationResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  grep: string | null;
  tests: { fullTitle: string; state: 'passed' | 'failed' | 'pending'; durationMs: number; error?: string }[];
  loadError?: string;
}

export async function run(): Promise<void> {
  const started = Date.now();
  const results: IntegrationResults = { passed: 0, failed: 0, pending: 0, durationMs: 0, grep: null, tests: [] };
  try {
    const suiteDir = path.resolve(process.env.CREDCHECK_TEST_SUITE_DIR || path.join(__dirname, 'suite'));
    const files = findTestFiles(suiteDir);
    if (files.length === 0) {
      throw new Error(`no *.test.js files under ${suiteDir}: was the TypeScript compiled (npx tsc -p tsconfig.json)?`);
    }
    const grep = buildGrep(process.env.CREDCHECK_TEST_GREP, process.env.CREDCHECK_TEST_TAG_MODE);
    results.grep = grep ? grep.source : null;
    const mocha = new Mocha({
      ui: 'bdd',
      color: false,
      reporter: 'spec',
      timeout: Number(process.env.CREDCHECK_TEST_TIMEOUT_MS) || 300_000,
      ...(grep ? { grep } : {}),
    });
    for (const file of files) {
      mocha.addFile(file);
    }
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => {
        results.passed++;
        results.tests.push({ fullTitle: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
      });
      runner.on('fail', (test, error: Error) => {
        // A failing hook is reported here too; count it, or a broken before() would look like a clean run.
        results.failed++;
        // A timeout says only how long; the states the test was still waiting for say what never happened.
        const waiting = pendingWaits();
        const stillWaiting = waiting.length ? `\nstill waiting for: ${waiting.join('; ')}` : '';
        if (stillWaiting) console.error(`${test.fullTitle()}:${stillWaiting}`);
        results.tests.push({
          fullTitle: test.fullTitle(),
          state: 'failed',
          durationMs: test.duration ?? 0,
          error: `${String(error?.stack ?? error)}${stillWaiting}`,
        });
      });
      runner.on('pending', (test) => {
        results.pending++;
        results.tests.push({ fullTitle: test.fullTitle(), state: 'pending', durationMs: 0 });
      });
    });
  } catch (error) {
    results.loadError = String((error as Error)?.stack ?? error);
    console.error(`integration test index: ${results.loadError}`);
  } finally {
    results.durationMs = Date.now() - started;
    writeResults(results);
  }
  if (results.loadError || results.failed > 0) {
    // Rejecting is what tells the workbench (and so the launcher) that the run failed.
    throw new Error(results.loadError ? 'integration tests could not be loaded' : `${results.failed} integration test(s) failed`);
  }
}

function findTestFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      found.push(...findTestFiles(full));
    } else if (entry.name.endsWith('.test.js')) {
      found.push(full);
    }
  }
  return found.sort();
}

function writeResults(results: IntegrationResults): void {
  const file = process.env.CREDCHECK_TEST_RESULTS;
  if (!file) {
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
}
