#!/usr/bin/env node
// `npm run test:integration`: runs the mocha suite inside a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
// driven by headless Chromium, because desktop VS Code cannot be downloaded on our build machines.
// Recipe and its caveats: ../shared/docs/real-vscode-tests.md. Install code-server with scripts/install-code-server.sh.
//
// Per pass: a temp run folder (user data, extensions, XDG dirs, config), code-server in its own process group,
// Chromium opening the workbench in VS Code's automation mode (the test index's result comes back through
// window.codeAutomationExit), screenshot requests from the tests served with Playwright, everything killed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  compiledIndex, copyWorkspace, parseOptions, planPasses, printSummary, readPassResult, repoRoot, testEnvironment, userSettings, webTestsBundle,
} from './launchPlan.mjs';

const codeServerEntry = process.env.CODE_SERVER_ENTRY ||
  join(repoRoot, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const screenshotDir = join(repoRoot, 'test-results', 'screenshots');
const chromiumFlags = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

// Whatever must be torn down if we are interrupted (Ctrl-C, CI cancelling the job) as well as on a normal end.
const cleanups = new Set();
async function runCleanups() {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup failed: ${error?.message ?? error}`);
    }
  }
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    console.error(`integration: ${signal} received, stopping code-server and the browser`);
    runCleanups().finally(() => process.exit(code));
  });
}

function log(message) {
  console.log(`[launcher] ${message}`);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs code-server's own CLI (for --install-extension) with the run's folders; fails loudly. */
function codeServerCli(args, env) {
  const result = spawnSync(process.execPath, [codeServerEntry, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`code-server ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function startCodeServer(args, env, verbose) {
  // detached: its own process group, so the extension host and every helper it spawns die with it.
  const child = spawn(process.execPath, [codeServerEntry, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const recent = [];
  const keep = (prefix) => (chunk) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      recent.push(line);
      if (recent.length > 40) recent.shift();
      if (verbose) console.log(`[code-server${prefix}] ${line}`);
    }
  };
  child.stdout.on('data', keep(''));
  child.stderr.on('data', keep(' stderr'));
  const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  return { child, exited, recent };
}

async function stopProcessGroup(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const kill = (signal) => {
    try {
      process.kill(-server.child.pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const stopped = await Promise.race([server.exited.then(() => true), delay(5000).then(() => false)]);
  if (!stopped) kill('SIGKILL');
  // The group may outlive its leader (the extension host); SIGKILL the rest regardless.
  kill('SIGKILL');
}

function delay(ms) {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

async function waitForHealth(port, server, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) {
      throw new Error(`code-server exited early (${server.child.exitCode}):\n${server.recent.join('\n')}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  throw new Error(`code-server did not become healthy within ${deadlineMs} ms:\n${server.recent.join('\n')}`);
}

/** Answers the tests' screenshot requests (see screenshots.ts) until stopped. */
function serveScreenshots(page, requestDir) {
  let busy = false;
  const handled = new Set();
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const file of readdirSync(requestDir).filter((f) => f.endsWith('.request.json')).sort()) {
        if (handled.has(file)) continue;
        handled.add(file);
        const answer = join(requestDir, file.replace(/\.request\.json$/, '.done.json'));
        let reply;
        try {
          const { name } = JSON.parse(readFileSync(join(requestDir, file), 'utf8'));
          if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`bad screenshot name ${JSON.stringify(name)}`);
          const target = join(screenshotDir, `${name}.png`);
          // What the test asked for is already in the DOM; two animation frames later it has been painted.
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
          await page.screenshot({ path: target });
          log(`screenshot saved: ${target}`);
          reply = { path: target };
        } catch (error) {
          reply = { error: String(error?.message ?? error) };
        }
        writeFileSync(`${answer}.tmp`, JSON.stringify(reply));
        renameSync(`${answer}.tmp`, answer);
      }
    } finally {
      busy = false;
    }
  }, 150);
  return () => clearInterval(timer);
}

/** A stand-in extension to develop: VS Code only runs extensionTestsPath alongside an extensionDevelopmentPath. */
function writeTestHostExtension(runDir) {
  const folder = join(runDir, 'test-host-extension');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({
    name: 'credcheck-vsix-test-host', publisher: 'credcheck-tests', version: '0.0.0', engines: { vscode: '*' },
  }));
  return folder;
}

/**
 * The web-only test build of the extension (`--web`): the manifest without `main`, so VS Code can run it only in the
 * browser's web worker extension host, whatever else is available; the product's files linked in; the web test bundle
 * inside it, because VS Code runs a test index in the host of the extension that contains it. The bundle reads its
 * settings from test-config.json beside it and writes results.json beside the folder (it has no `process.env`).
 */
function writeWebTestExtension(runDir, options, pass) {
  const folder = join(runDir, 'web-extension');
  mkdirSync(folder, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  if (!manifest.browser) throw new Error('package.json has no `browser` entry to test');
  delete manifest.main;
  writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const entry of ['dist', 'docs', 'samples', 'syntaxes', 'snippets', 'language-configuration.json', 'policies', 'queries', 'schema', 'media', 'README.md']) {
    if (existsSync(join(repoRoot, entry))) symlinkSync(join(repoRoot, entry), join(folder, entry));
  }
  copyFileSync(webTestsBundle, join(folder, 'tests.js'));
  writeFileSync(join(folder, 'test-config.json'), JSON.stringify({ grep: options.grep, tagMode: pass.tagMode, timeoutMs: Number(process.env.CREDCHECK_TEST_TIMEOUT_MS) || undefined }));
  return folder;
}

async function runPass(options, pass) {
  const started = Date.now();
  const runDir = mkdtempSync(join(tmpdir(), `credcheck-vscode-${pass.name}-`));
  // Registered first so that, on a signal, it runs after code-server (which writes into it) is stopped.
  const removeRunDir = () => options.keep || rmSync(runDir, { recursive: true, force: true });
  cleanups.add(removeRunDir);
  const folders = Object.fromEntries(['user-data', 'extensions', 'xdg-data', 'xdg-config', 'xdg-cache', 'screenshot-requests']
    .map((name) => [name, join(runDir, name)]));
  Object.values(folders).forEach((folder) => mkdirSync(folder, { recursive: true }));
  mkdirSync(join(folders['user-data'], 'User'), { recursive: true });
  mkdirSync(screenshotDir, { recursive: true });
  const workspace = copyWorkspace(options.workspace, runDir);
  writeFileSync(join(folders['user-data'], 'User', 'settings.json'), JSON.stringify(userSettings(options, pass), null, 2));
  const port = await freePort();
  const config = join(runDir, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const env = {
    ...process.env,
    XDG_DATA_HOME: folders['xdg-data'],
    XDG_CONFIG_HOME: folders['xdg-config'],
    XDG_CACHE_HOME: folders['xdg-cache'],
    CREDCHECK_SCREENSHOT_REQUESTS: folders['screenshot-requests'],
    ...testEnvironment(options, pass, runDir),
  };
  const common = ['--user-data-dir', folders['user-data'], '--extensions-dir', folders.extensions];
  let extensionDevelopmentPath = repoRoot;
  let extensionTestsPath = compiledIndex.replace(/\.js$/, '');
  if (options.web) {
    extensionDevelopmentPath = writeWebTestExtension(runDir, options, pass);
    extensionTestsPath = join(extensionDevelopmentPath, 'tests');
  }
  if (options.vsix) {
    log(`installing ${options.vsix}`);
    codeServerCli([...common, '--install-extension', options.vsix], env);
    extensionDevelopmentPath = writeTestHostExtension(runDir);
  }

  const passCleanups = [];
  const addCleanup = (cleanup) => {
    cleanups.add(cleanup);
    passCleanups.push(cleanup);
  };
  let exitCode = 1;
  let reason;
  try {
    const server = startCodeServer([
      '--config', config, ...common, '--disable-telemetry', '--disable-update-check',
      ...(pass.trusted ? ['--disable-workspace-trust'] : []),
      '--disable-getting-started-override', '--ignore-last-opened', workspace,
    ], env, options.verbose);
    addCleanup(() => stopProcessGroup(server));
    await waitForHealth(port, server, 30_000);
    log(`${pass.name} pass: code-server on port ${port} (${Date.now() - started} ms), workspace ${workspace}`);

    // Imported lazily so `--help` and option errors work without the dev dependency installed.
    const { chromium } = await import('playwright-core');
    // Playwright's own signal handlers would exit before code-server is stopped; ours close both, in order.
    const browser = await chromium.launch({
      executablePath: chromiumPath, headless: true, args: chromiumFlags,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    addCleanup(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });

    let settle;
    const finished = new Promise((resolveFinished) => { settle = resolveFinished; });
    await page.exposeFunction('codeAutomationExit', (code) => settle({ code: Number(code) }));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      console.log(type === 'error' || type === 'warn' ? `[exthost ${type}] ${text}` : text);
    });
    if (options.verbose) page.on('console', (message) => console.log(`[browser ${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => options.verbose && console.log(`[browser pageerror] ${error.message}`));
    const stopScreenshots = serveScreenshots(page, folders['screenshot-requests']);
    addCleanup(stopScreenshots);

    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://remote${extensionDevelopmentPath}`],
      // VS Code runs the tests in the host of the extension whose folder holds them, comparing URIs with their authority:
      // the web worker host knows the extension under code-server's real authority (host:port), not as `remote`.
      ['extensionTestsPath', `vscode-remote://${options.web ? `127.0.0.1:${port}` : 'remote'}${extensionTestsPath}`],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);

    let timer;
    const timedOut = new Promise((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout({ reason: `timed out after ${options.timeoutMs / 1000} s` }), options.timeoutMs);
    });
    const serverDied = server.exited.then(({ code, signal }) => ({ reason: `code-server exited (${code ?? signal}) during the run` }));
    const outcome = await Promise.race([finished, timedOut, serverDied]);
    clearTimeout(timer);
    if (outcome.reason) {
      reason = outcome.reason;
      await page.screenshot({ path: join(screenshotDir, `failure-${pass.name}.png`) }).catch(() => undefined);
    } else {
      exitCode = outcome.code;
    }
  } catch (error) {
    reason = String(error?.message ?? error);
  } finally {
    for (const cleanup of passCleanups.reverse()) {
      cleanups.delete(cleanup);
      await Promise.resolve().then(cleanup).catch((error) => console.error(`cleanup failed: ${error?.message ?? error}`));
    }
  }
  const result = readPassResult(pass, join(runDir, 'results.json'), exitCode, reason);
  log(`${pass.name} pass finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (options.keep) log(`run folder kept: ${runDir}`);
  cleanups.delete(removeRunDir);
  removeRunDir();
  return result;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed (${codeServerEntry}): run scripts/install-code-server.sh`);
  }
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const started = Date.now();
  const results = [];
  for (const pass of planPasses(options)) {
    results.push(await runPass(options, pass));
  }
  const code = printSummary(results);
  log(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return code;
}

main().then(
  (code) => runCleanups().then(() => process.exit(code)),
  (error) => {
    console.error(`integration: ${error?.message ?? error}`);
    runCleanups().then(() => process.exit(1));
  },
);
