// The mocha test index VS Code loads into the *web worker* extension host (`extensionTestsPath` of `npm run test:web`).
// Bundled for the browser by scripts/build.mjs into out/web/tests.js; runInCodeServer.mjs --web copies it into the
// web-only test build of the extension, because VS Code runs a test index in the host of the extension that holds it.
//
// There is no `process` and no Node `fs` here: the launcher and this index talk through files beside that test build,
// read and written with `workspace.fs` (the test build's folder is on the code-server machine, as `vscode-remote:`):
//   <test build>/test-config.json     {grep, tagMode, timeoutMs} written by the launcher
//   <test build>/../results.json      the results (the same shape as the Node index writes), read by the launcher
import * as vscode from 'vscode';
import 'mocha/mocha.js';
import type { IntegrationResults } from '../integration/index';
import { buildGrep } from '../integration/grep';
import { pendingWaits } from '../integration/waitFor';
import { EXTENSION_ID } from './webHelpers';

interface WebTestConfig {
  grep?: string;
  tagMode?: string;
  timeoutMs?: number;
}

export async function run(): Promise<void> {
  const started = Date.now();
  const results: IntegrationResults = { passed: 0, failed: 0, pending: 0, durationMs: 0, grep: null, tests: [] };
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`the web test build of ${EXTENSION_ID} is not loaded in this host`);
  const resultsUri = vscode.Uri.joinPath(extension.extensionUri, '..', 'results.json');
  try {
    const config = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension.extensionUri, 'test-config.json')))) as WebTestConfig;
    const grep = buildGrep(config.grep, config.tagMode);
    results.grep = grep ? grep.source : null;
    mocha.setup({ ui: 'bdd', timeout: config.timeoutMs ?? 300_000, ...(grep ? { grep } : {}) });
    // The browser build defaults to its HTML reporter, which needs a DOM; spec prints to the console the launcher shows.
    mocha.reporter(Mocha.reporters.Spec);
    // The suites call describe/it when they are evaluated: after setup, so they are imported here, not at the top.
    await import('./suite');
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => {
        results.passed++;
        results.tests.push({ fullTitle: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
      });
      runner.on('fail', (test, error: Error) => {
        results.failed++;
        const waiting = pendingWaits();
        const stillWaiting = waiting.length ? `\nstill waiting for: ${waiting.join('; ')}` : '';
        if (stillWaiting) console.error(`${test.fullTitle()}:${stillWaiting}`);
        results.tests.push({ fullTitle: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error: `${String(error?.stack ?? error)}${stillWaiting}` });
      });
      runner.on('pending', (test) => {
        results.pending++;
        results.tests.push({ fullTitle: test.fullTitle(), state: 'pending', durationMs: 0 });
      });
    });
  } catch (error) {
    results.loadError = String((error as Error)?.stack ?? error);
    console.error(`web test index: ${results.loadError}`);
  } finally {
    results.durationMs = Date.now() - started;
    await vscode.workspace.fs.writeFile(resultsUri, new TextEncoder().encode(JSON.stringify(results, null, 2)));
  }
  if (results.loadError || results.failed > 0) {
    throw new Error(results.loadError ? 'web tests could not be loaded' : `${results.failed} web test(s) failed`);
  }
}
