// Runs the Rego unit tests of the bundled checks (`opa test policies/ -v`) with a native opa.
// The extension itself never needs opa (it evaluates wasm); only these tests do, so the binary is looked up
// explicitly and the run says which one it used: $OPA_BIN, then the project's .tools/bin/opa (scripts/setup.sh
// --test installs it there), then opa on PATH. Extra arguments are passed on to `opa test`.
// Exit code: opa's, or 2 when no opa can be found.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const executableName = process.platform === 'win32' ? 'opa.exe' : 'opa';

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns { path, source } of the opa to use, or { error } saying what was tried. */
function findOpa() {
  const configured = process.env.OPA_BIN;
  if (configured) {
    return isExecutable(configured)
      ? { path: configured, source: '$OPA_BIN' }
      : { error: `$OPA_BIN is set to ${configured}, which is not an executable file.` };
  }
  const projectCopy = join(root, '.tools', 'bin', executableName);
  if (isExecutable(projectCopy)) return { path: projectCopy, source: '.tools/bin' };
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, executableName);
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  return {
    error:
      'No opa executable found: set $OPA_BIN, or install it into .tools/bin with\n' +
      '  GOBIN="$PWD/.tools/bin" go install github.com/open-policy-agent/opa@v1.22.0\n' +
      '(scripts/setup.sh --test does this), or put opa on PATH.',
  };
}

const opa = findOpa();
if (opa.error) {
  console.error(`opa-test: ${opa.error}`);
  process.exit(2);
}
console.error(`opa-test: using ${opa.path} (from ${opa.source})`);
const run = spawnSync(opa.path, ['test', 'policies/', '-v', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (run.error) {
  console.error(`opa-test: could not run ${opa.path}: ${run.error.message}`);
  process.exit(2);
}
process.exit(run.status ?? 1);
