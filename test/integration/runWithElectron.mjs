#!/usr/bin/env node
// Runs the same integration suite in desktop VS Code (Electron), downloaded by @vscode/test-electron: for a developer
// laptop or a public CI. It cannot run on our build machines (no download of VS Code there): `npm run test:integration`
// (runInCodeServer.mjs) is the launcher CI uses. Same options, passes and summary (launchPlan.mjs); no screenshots
// (requestScreenshot() returns undefined and the screenshot test is skipped).
//
//   node test/integration/runWithElectron.mjs [--vscode-version 1.100.3|stable|insiders] [launchPlan options]
// On Linux without a display, wrap it: xvfb-run -a node test/integration/runWithElectron.mjs
//
// We spawn VS Code ourselves rather than calling runTests(): runTests always adds --disable-workspace-trust, and the
// untrusted pass must leave it out.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath } from '@vscode/test-electron';
import {
  compiledIndex, copyWorkspace, parseOptions, planPasses, printSummary, readPassResult, repoRoot, testEnvironment, userSettings,
} from './launchPlan.mjs';

let running; // the VS Code process of the current pass, killed if we are interrupted
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    if (running && running.exitCode === null) process.kill(-running.pid, 'SIGKILL');
    process.exit(code);
  });
}

function takeVersion(argv) {
  const index = argv.indexOf('--vscode-version');
  if (index === -1) return { version: process.env.CREDCHECK_VSCODE_VERSION || 'stable', rest: argv };
  return { version: argv[index + 1], rest: [...argv.slice(0, index), ...argv.slice(index + 2)] };
}

async function runPass(executable, options, pass) {
  const started = Date.now();
  const runDir = mkdtempSync(join(tmpdir(), `credcheck-electron-${pass.name}-`));
  const userData = join(runDir, 'user-data');
  const extensions = join(runDir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(options, pass), null, 2));
  const workspace = copyWorkspace(options.workspace, runDir);
  const profile = ['--user-data-dir', userData, '--extensions-dir', extensions];

  let extensionDevelopmentPath = repoRoot;
  if (options.vsix) {
    const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(executable);
    const install = spawnSync(cli, [...cliArgs, ...profile, '--install-extension', options.vsix], { encoding: 'utf8', stdio: 'inherit' });
    if (install.status !== 0) throw new Error(`installing ${options.vsix} failed (${install.status ?? install.signal})`);
    // VS Code only runs extensionTestsPath alongside an extension under development: give it an empty one.
    extensionDevelopmentPath = join(runDir, 'test-host-extension');
    mkdirSync(extensionDevelopmentPath);
    writeFileSync(join(extensionDevelopmentPath, 'package.json'), JSON.stringify({
      name: 'credcheck-vsix-test-host', publisher: 'credcheck-tests', version: '0.0.0', engines: { vscode: '*' },
    }));
  }

  const args = [
    workspace, ...profile,
    '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes', '--disable-telemetry',
    ...(pass.trusted ? ['--disable-workspace-trust'] : []),
    `--extensionDevelopmentPath=${extensionDevelopmentPath}`,
    `--extensionTestsPath=${compiledIndex.replace(/\.js$/, '')}`,
  ];
  const env = { ...process.env, ...testEnvironment(options, pass, runDir) };
  let reason;
  const exitCode = await new Promise((resolveExit) => {
    running = spawn(executable, args, { env, stdio: 'inherit', detached: true });
    const timer = setTimeout(() => {
      reason = `timed out after ${options.timeoutMs / 1000} s`;
      process.kill(-running.pid, 'SIGKILL');
    }, options.timeoutMs);
    running.on('error', (error) => { reason = error.message; });
    running.on('exit', (code) => {
      clearTimeout(timer);
      resolveExit(code ?? 1);
    });
  });
  running = undefined;
  const result = readPassResult(pass, join(runDir, 'results.json'), exitCode, reason);
  console.log(`[launcher] ${pass.name} pass finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!options.keep) rmSync(runDir, { recursive: true, force: true });
  return result;
}

async function main() {
  const { version, rest } = takeVersion(process.argv.slice(2));
  const options = parseOptions(rest);
  const executable = await downloadAndUnzipVSCode({ version });
  const results = [];
  for (const pass of planPasses(options)) {
    results.push(await runPass(executable, options, pass));
  }
  return printSummary(results);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`integration (electron): ${error?.message ?? error}`);
    process.exit(1);
  },
);
