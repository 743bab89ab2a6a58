import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CompileRequest, CompileResult, PolicyAnnotation, RegoCompiler, RuleLocation } from '../../../src/core/compiler/regoCompiler';

const run = promisify(execFile);

/** The native OPA the setup installs (.tools/bin/opa); tests that need it skip with a message when it is missing. */
export const NATIVE_OPA = join(__dirname, '../../../../.tools/bin/opa');
export const hasNativeOpa = existsSync(NATIVE_OPA);

/** A decision rule's head at the start of a line; not a function named like one (`deny(x)`). */
const DECISION = /^((?:deny|violation|warn|info|skip)(?:_\w+)?|exception)\b(?!\s*\()/;

/**
 * A RegoCompiler over the native opa, complete enough for the engine tests: it picks the entrypoints the way the
 * embedded compiler does (one per decision rule), reads METADATA with `opa inspect` and rule lines from the
 * sources. It is an independent route to policy.wasm, not the product's compiler.
 */
export class OpaCompilerForTests implements RegoCompiler {
  async compile(request: CompileRequest): Promise<CompileResult> {
    const dir = await mkdtemp(join(tmpdir(), 'credcheck-engine-'));
    try {
      const names = request.modules.map((_, index) => `m${index}/${request.modules[index]!.file.split('/').pop()}`);
      for (const [index, module] of request.modules.entries()) {
        await mkdir(dirname(join(dir, names[index]!)), { recursive: true });
        await writeFile(join(dir, names[index]!), module.source);
      }
      const fileOf = (path: string) => request.modules[names.indexOf(path.replace(`${dir}/`, ''))]?.file ?? path;
      const check = await run(NATIVE_OPA, ['check', '--format', 'json', ...names], { cwd: dir }).catch((e: { stdout?: string; stderr?: string }) => e);
      const report = parseJson(check.stdout ?? '') ?? parseJson(check.stderr ?? '');
      if (report?.errors && report.errors.length > 0) {
        return {
          ok: false,
          errors: report.errors.map((e) => ({
            file: e.location ? fileOf(e.location.file) : '',
            line: e.location?.row ?? 0,
            column: e.location?.col ?? 0,
            message: e.message,
            code: e.code,
          })),
        };
      }
      const rules: RuleLocation[] = [];
      for (const module of request.modules) {
        const pkg = /^package\s+([\w.]+)/m.exec(module.source)?.[1]?.replace(/\./g, '/');
        if (!pkg) continue;
        module.source.split('\n').forEach((text, index) => {
          const match = DECISION.exec(text);
          if (match && !rules.some((r) => r.package === pkg && r.name === match[1])) rules.push({ package: pkg, name: match[1]!, file: module.file, line: index + 1 });
        });
      }
      // Per-rule entrypoints, as the embedded compiler picks them (functions named like rules are not rules).
      const entrypoints = request.entrypoints?.length
        ? request.entrypoints
        : [...new Set(rules.map((r) => `${r.package}/${r.name}`))];
      const bundle = join(dir, 'bundle.tar.gz');
      await run(NATIVE_OPA, ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', bundle, ...names], { cwd: dir });
      await run('tar', ['-xzf', bundle, '-C', dir, '/policy.wasm']);
      const inspected = JSON.parse((await run(NATIVE_OPA, ['inspect', '-a', '--format', 'json', ...names.map((n) => n.split('/')[0]!)], { cwd: dir })).stdout) as {
        annotations?: { annotations: Record<string, unknown> & { scope: string }; location: { file: string; row: number }; path: { value: string }[] }[];
      };
      const annotations: PolicyAnnotation[] = (inspected.annotations ?? []).map((a) => ({
        path: a.path.slice(1).map((p) => p.value).join('/'),
        scope: a.annotations.scope,
        title: a.annotations.title as string | undefined,
        description: a.annotations.description as string | undefined,
        related_resources: a.annotations.related_resources as PolicyAnnotation['related_resources'],
        custom: a.annotations.custom as Record<string, unknown> | undefined,
        file: fileOf(a.location.file),
        line: a.location.row,
      }));
      return { ok: true, wasm: new Uint8Array(await readFile(join(dir, 'policy.wasm'))), entrypoints, annotations, rules };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  dispose(): void {}
}

function parseJson(text: string): { errors?: { message: string; code?: string; location?: { file: string; row: number; col: number } }[] } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
