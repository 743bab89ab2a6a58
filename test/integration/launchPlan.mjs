// What both integration launchers share (runInCodeServer.mjs here, runWithElectron.mjs where desktop VS Code
// can be downloaded): the command line, the passes to run, the user settings, the per-pass workspace copy,
// and the summary. Keeping it in one place is what makes "the same suite under both launchers" true.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const compiledIndex = join(repoRoot, 'out', 'test', 'integration', 'index.js');
/** The web test index and suites, bundled for the browser (test/web/index.ts, built by scripts/build.mjs). */
export const webTestsBundle = join(repoRoot, 'out', 'web', 'tests.js');

const usage = `usage: node test/integration/<launcher>.mjs [options]
  --grep <regexp>        run only tests whose full title matches
  --workspace <dir>      folder to open (copied per pass; default test/integration/workspace)
  --trust | --no-trust   one pass only: trusted, or untrusted (only tests tagged @untrusted)
                         (default: both passes, trusted without @untrusted tests, then untrusted with them)
  --vsix <file>          install this packaged extension and run the installed-extension suite instead
  --web                  run the web suite (test/web) with the extension in the browser's web worker host
  --suite <dir>          compiled folder of *.test.js to load (default out/test/integration/suite,
                         or out/test/integration/vsix with --vsix)
  --settings <file>      JSON object of extra user settings (also: CREDCHECK_TEST_SETTINGS='{"k":v}')
  --timeout <seconds>    overall limit per pass (default 600)
  --keep                 keep the temporary run folders
  --verbose              also print the server's and the browser's own logs
Environment equivalents: CREDCHECK_TEST_GREP, CREDCHECK_TEST_WORKSPACE, CREDCHECK_TEST_VSIX, CREDCHECK_TEST_WEB=1.`;

/** Parses the launcher's command line (and the environment equivalents) into options. */
export function parseOptions(argv, env = process.env) {
  const options = {
    grep: env.CREDCHECK_TEST_GREP || undefined,
    workspace: resolve(repoRoot, env.CREDCHECK_TEST_WORKSPACE || 'test/integration/workspace'),
    trust: 'both',
    vsix: env.CREDCHECK_TEST_VSIX ? resolve(env.CREDCHECK_TEST_VSIX) : undefined,
    web: env.CREDCHECK_TEST_WEB === '1',
    suite: undefined,
    extraSettings: env.CREDCHECK_TEST_SETTINGS ? JSON.parse(env.CREDCHECK_TEST_SETTINGS) : {},
    timeoutMs: 600_000,
    keep: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value\n${usage}`);
      return argv[++i];
    };
    switch (arg) {
      case '--grep': options.grep = value(); break;
      case '--workspace': options.workspace = resolve(value()); break;
      case '--trust': options.trust = 'trusted'; break;
      case '--no-trust': options.trust = 'untrusted'; break;
      case '--vsix': options.vsix = resolve(value()); break;
      case '--web': options.web = true; break;
      case '--suite': options.suite = resolve(value()); break;
      case '--settings': Object.assign(options.extraSettings, JSON.parse(readFileSync(value(), 'utf8'))); break;
      case '--timeout': options.timeoutMs = Number(value()) * 1000; break;
      case '--keep': options.keep = true; break;
      case '--verbose': options.verbose = true; break;
      case '--help': case '-h': console.log(usage); process.exit(0); break;
      default: throw new Error(`unknown option ${arg}\n${usage}`);
    }
  }
  if (options.grep) new RegExp(options.grep); // a bad pattern should fail here, not inside the extension host
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) throw new Error('--timeout needs a positive number of seconds');
  if (!existsSync(options.workspace)) throw new Error(`workspace folder ${options.workspace} does not exist`);
  if (options.vsix && !existsSync(options.vsix)) throw new Error(`${options.vsix} does not exist: run npm run package first`);
  options.suite ??= join(repoRoot, 'out', 'test', 'integration', options.vsix ? 'vsix' : 'suite');
  if (options.web && options.vsix) throw new Error('--web and --vsix do not combine');
  if (options.web && !existsSync(webTestsBundle)) throw new Error(`${webTestsBundle} is missing: build first (npm run build)`);
  if (!existsSync(compiledIndex)) throw new Error(`${compiledIndex} is missing: build first (npm run build, or npx tsc -p tsconfig.json)`);
  return options;
}

/**
 * The launches to make. Workspace trust is fixed for the life of a window, so trusted and untrusted
 * tests need separate launches; the tag @untrusted in a test's title routes it to the second one.
 * The installed-extension (vsix) suite runs once, trusted, like a user who just installed it.
 */
export function planPasses(options) {
  const passes = [];
  if (options.vsix) {
    passes.push({ name: 'vsix', trusted: true, tagMode: undefined });
    return passes;
  }
  const prefix = options.web ? 'web-' : '';
  if (options.trust !== 'untrusted') passes.push({ name: `${prefix}trusted`, trusted: true, tagMode: 'exclude-untrusted' });
  if (options.trust !== 'trusted') passes.push({ name: `${prefix}untrusted`, trusted: false, tagMode: 'only-untrusted' });
  return passes;
}

/** Environment for the VS Code process; it reaches the extension host, where test/integration/index.ts reads it. */
export function testEnvironment(options, pass, runDir) {
  return {
    CREDCHECK_TEST_SUITE_DIR: options.suite,
    CREDCHECK_TEST_RESULTS: join(runDir, 'results.json'),
    ...(pass.tagMode ? { CREDCHECK_TEST_TAG_MODE: pass.tagMode } : {}),
    ...(options.grep ? { CREDCHECK_TEST_GREP: options.grep } : {}),
  };
}

/** User settings for a quiet workbench, the pass's workspace trust, then the caller's extras on top. */
export function userSettings(options, pass) {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'git.openRepositoryInParentFolders': 'never',
    'window.restoreWindows': 'none',
    // Trust is enabled on the untrusted pass and nobody answers the prompt, so the window stays in
    // restricted mode; without the prompt no modal dialog covers the screenshots.
    'security.workspace.trust.enabled': !pass.trusted ? true : false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': pass.trusted,
    ...options.extraSettings,
  };
}

/** A fresh copy of the test workspace per pass, so one pass's edits (suppressions, policies) never leak into the next. */
export function copyWorkspace(source, runDir) {
  const target = join(runDir, 'workspace');
  mkdirSync(target, { recursive: true });
  cpSync(source, target, { recursive: true });
  // Fixtures copied from read-only sources stay read-only; tests that edit or save them need write access.
  makeWritable(target);
  return target;
}

function makeWritable(path) {
  const stat = statSync(path);
  chmodSync(path, stat.mode | 0o200);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) makeWritable(join(path, entry));
  }
}

/** Reads the results the test index wrote; a pass that failed without any recorded failure still counts one. */
export function readPassResult(pass, resultsFile, exitCode, reason) {
  let results;
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    results = undefined;
  }
  const passed = results?.passed ?? 0;
  let failed = results?.failed ?? 0;
  let why = reason;
  if (results?.loadError) why = `the suite did not load: ${results.loadError.split('\n')[0]}`;
  else if (!results && !why) why = 'no results file was written';
  if (exitCode !== 0 && failed === 0) failed = 1;
  if (exitCode === 0 && why) failed = Math.max(failed, 1);
  return { name: pass.name, passed, failed, pending: results?.pending ?? 0, why, tests: results?.tests ?? [] };
}

/** Prints one line per pass and the total, in the form CI greps for; returns the process exit code. */
export function printSummary(passResults) {
  let passed = 0;
  let failed = 0;
  for (const result of passResults) {
    passed += result.passed;
    failed += result.failed;
    for (const test of result.tests.filter((t) => t.state === 'failed')) {
      console.log(`  failed (${result.name}): ${test.fullTitle}`);
    }
    if (result.why) console.log(`  ${result.name} pass: ${result.why}`);
    console.log(`integration (${result.name} pass): ${result.passed} passed, ${result.failed} failed` +
      (result.pending ? `, ${result.pending} pending` : ''));
  }
  console.log(`integration: ${passed} passed, ${failed} failed`);
  if (passed + failed === 0) {
    console.log('integration: no test ran, which counts as a failure');
    return 1;
  }
  return failed === 0 ? 0 : 1;
}
