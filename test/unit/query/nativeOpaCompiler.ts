import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompileRequest, CompileResult, RegoCompiler } from '../../../src/core/compiler/regoCompiler';

const run = promisify(execFile);

/** Path of the native OPA the repository's setup installs (the same version the embedded compiler is built from). */
export const NATIVE_OPA = join(__dirname, '../../../../.tools/bin/opa');

/**
 * A RegoCompiler over the native `opa` binary (`opa check` for located errors, `opa build -t wasm` for the policy). It
 * is an independent route to policy.wasm for the query tests, so they do not depend on how the embedded compiler is
 * built.
 */
export class NativeOpaCompiler implements RegoCompiler {
  async compile(request: CompileRequest): Promise<CompileResult> {
    const dir = await mkdtemp(join(tmpdir(), 'credcheck-query-'));
    try {
      const names = request.modules.map((_, index) => join(dir, `module${index}.rego`));
      await Promise.all(request.modules.map((module, index) => writeFile(names[index]!, module.source)));
      const fileOf = (path: string) => request.modules[names.indexOf(path)]?.file ?? path;
      const check = await run(NATIVE_OPA, ['check', '--format', 'json', ...names]).catch((error: { stdout?: string; stderr?: string }) => error);
      const report = parseJson(check.stdout ?? '') ?? parseJson(check.stderr ?? '');
      if (report && Array.isArray(report.errors) && report.errors.length > 0) {
        return {
          ok: false,
          errors: report.errors.map((error: { message: string; code?: string; location?: { file: string; row: number; col: number } }) => ({
            file: error.location ? fileOf(error.location.file) : '',
            line: error.location?.row ?? 0,
            column: error.location?.col ?? 0,
            message: error.message,
            code: error.code,
          })),
        };
      }
      const entrypoints = request.entrypoints ?? [];
      const bundle = join(dir, 'bundle.tar.gz');
      try {
        await run(NATIVE_OPA, ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', bundle, ...names]);
      } catch (error) {
        return { ok: false, errors: [{ file: '', line: 0, column: 0, message: String((error as { stderr?: string }).stderr ?? error).trim() }] };
      }
      await run('tar', ['-xzf', bundle, '-C', dir, '/policy.wasm']);
      return { ok: true, wasm: new Uint8Array(await readFile(join(dir, 'policy.wasm'))), entrypoints, annotations: [], rules: [] };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  dispose(): void {}
}

function parseJson(text: string): { errors?: unknown[] } | undefined {
  try {
    return JSON.parse(text) as { errors?: unknown[] };
  } catch {
    return undefined;
  }
}
