import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PolicyProblem } from '../model';
import { readCompilerCapabilities } from './compilerAssets';
import { CompileRequest, CompileResult, PolicyAnnotation, RegoCompiler, RuleLocation } from './regoCompiler';

export interface OpaBinaryCompilerOptions {
  /** Longest one `opa` invocation may take (default 30 s). */
  timeLimitMs?: number;
  /**
   * Builtins policies may call (default: the embedded compiler's capabilities.json, when built), so both compilers
   * reject the same builtins. Pass null to compile against opa's full capabilities.
   */
  allowedBuiltins?: string[] | null;
}

interface OpaLocation {
  file: string;
  row: number;
  col: number;
}
interface OpaError {
  message: string;
  code?: string;
  location?: OpaLocation;
}
interface OpaTerm {
  type: string;
  value: unknown;
}
interface OpaAnnotation {
  scope: string;
  title?: string;
  description?: string;
  related_resources?: { ref: string; description?: string }[];
  custom?: Record<string, unknown>;
  location?: OpaLocation;
}
interface OpaModule {
  package: { path: OpaTerm[]; location?: OpaLocation };
  annotations?: OpaAnnotation[];
  rules?: { head: { name?: string; ref?: OpaTerm[]; args?: unknown[] }; location?: OpaLocation }[];
}

interface Written {
  file: string;
  path: string;
  source: string;
}

const DECISION_RULE = /^((deny|violation|warn|info|skip)(_[A-Za-z0-9_]+)?|exception)$/;

/**
 * An alternative RegoCompiler for power users who configured an `opa` binary: `opa parse`, `opa check` and
 * `opa build -t wasm` in a temporary directory. Nothing depends on it; the embedded compiler is the default.
 */
export class OpaBinaryCompiler implements RegoCompiler {
  private readonly timeLimitMs: number;
  private capabilitiesFile: Promise<string | undefined> | undefined;
  private readonly workDirs = new Set<string>();

  constructor(
    private readonly opaPath: string,
    private readonly options: OpaBinaryCompilerOptions = {},
  ) {
    this.timeLimitMs = options.timeLimitMs ?? 30_000;
  }

  async compile(request: CompileRequest): Promise<CompileResult> {
    const dir = await mkdtemp(join(tmpdir(), 'credcheck-opa-'));
    this.workDirs.add(dir);
    try {
      return await this.compileIn(dir, request);
    } finally {
      this.workDirs.delete(dir);
      await rm(dir, { recursive: true, force: true });
    }
  }

  dispose(): void {
    for (const dir of this.workDirs) void rm(dir, { recursive: true, force: true });
  }

  private async compileIn(dir: string, request: CompileRequest): Promise<CompileResult> {
    const sourceDir = join(dir, 'src');
    const written: Written[] = [];
    for (const [index, module] of request.modules.entries()) {
      // One folder per module keeps the user's base name (opa messages mention it) without collisions.
      const folder = join(sourceDir, String(index));
      await mkdir(folder, { recursive: true });
      const path = join(folder, basename(module.file).endsWith('.rego') ? basename(module.file) : `${basename(module.file)}.rego`);
      await writeFile(path, module.source);
      written.push({ file: module.file, path, source: module.source });
    }

    const parsed: { module: OpaModule; written: Written }[] = [];
    const problems: PolicyProblem[] = [];
    for (const module of written) {
      const run = await this.opa(request, ['parse', '--format', 'json', '--json-include', 'locations', module.path]);
      if (run.code === 0) parsed.push({ module: JSON.parse(run.stdout) as OpaModule, written: module });
      else problems.push(...toProblems(run, written));
    }
    if (problems.length > 0) return { ok: false, errors: problems };

    const packageOf = (module: OpaModule) => slashPath(module.package.path);
    // Per-rule entrypoints, as the embedded compiler picks them (package ones hit open-policy-agent/opa#4411).
    const entrypoints = request.entrypoints?.length
      ? request.entrypoints
      : [
          ...new Set(
            parsed.flatMap(({ module }) =>
              (module.rules ?? []).filter((rule) => !rule.head.args?.length && DECISION_RULE.test(ruleName(rule.head))).map((rule) => `${packageOf(module)}/${ruleName(rule.head)}`),
            ),
          ),
        ];
    const firstPackage = parsed[0];
    const packageLine = (path?: string): PolicyProblem => {
      const match = parsed.find(({ module }) => path && path.startsWith(packageOf(module))) ?? firstPackage;
      return { file: match?.written.file ?? '', line: match?.module.package.location?.row ?? 0, column: 1, message: '' };
    };
    if (entrypoints.length === 0) {
      return { ok: false, errors: [{ ...packageLine(), code: 'no_entrypoint', message: 'no rule named deny, violation, warn, info, skip or exception: nothing to evaluate' }] };
    }

    const capabilities = await this.capabilities(request);
    const capabilityArgs = capabilities ? ['--capabilities', capabilities] : [];
    const check = await this.opa(request, ['check', '--format', 'json', ...capabilityArgs, sourceDir]);
    if (check.code !== 0) return { ok: false, errors: toProblems(check, written) };

    const bundlePath = join(dir, 'bundle.tar.gz');
    const build = await this.opa(request, ['build', '-t', 'wasm', ...entrypoints.flatMap((entrypoint) => ['-e', entrypoint]), ...capabilityArgs, '-o', bundlePath, sourceDir]);
    if (build.code !== 0) {
      const message = restoreNames((build.stderr || build.stdout).trim(), written);
      return { ok: false, errors: [{ ...packageLine(entrypoints.find((entrypoint) => message.includes(entrypoint))), code: 'opa_build_error', message }] };
    }
    const wasm = extractFromTarGz(await readFile(bundlePath), '/policy.wasm');
    if (!wasm) return { ok: false, errors: [{ ...packageLine(), code: 'opa_build_error', message: 'opa build produced no policy.wasm' }] };

    const annotations: PolicyAnnotation[] = [];
    const rules: RuleLocation[] = [];
    for (const { module, written: source } of parsed) {
      const pkg = packageOf(module);
      for (const annotation of module.annotations ?? []) {
        const rule = annotation.scope === 'package' || annotation.scope === 'subpackages' ? undefined : (module.rules ?? []).find((r) => r.location && annotation.location && r.location.row > annotation.location.row);
        annotations.push({
          path: rule ? `${pkg}/${ruleName(rule.head)}` : pkg,
          scope: annotation.scope,
          ...(annotation.title !== undefined && { title: annotation.title }),
          ...(annotation.description !== undefined && { description: annotation.description }),
          ...(annotation.related_resources && { related_resources: annotation.related_resources }),
          ...(annotation.custom && { custom: annotation.custom }),
          file: source.file,
          line: annotation.location?.row ?? 0,
        });
      }
      for (const rule of module.rules ?? []) {
        rules.push({ package: pkg, name: ruleName(rule.head), file: source.file, line: rule.location?.row ?? 0 });
      }
    }
    return { ok: true, wasm, entrypoints, annotations, rules };
  }

  /** opa's capabilities restricted to what the wasm runtime really provides, written once per compiler. */
  private capabilities(request: CompileRequest): Promise<string | undefined> {
    this.capabilitiesFile ??= (async () => {
      let allowed = this.options.allowedBuiltins;
      if (allowed === undefined) {
        try {
          allowed = readCompilerCapabilities().builtins;
        } catch {
          return undefined;
        }
      }
      if (allowed === null) return undefined;
      const current = await this.opa(request, ['capabilities', '--current']);
      if (current.code !== 0) return undefined;
      const capabilities = JSON.parse(current.stdout) as { builtins: { name: string }[] };
      const names = new Set(allowed);
      capabilities.builtins = capabilities.builtins.filter((builtin) => names.has(builtin.name));
      const dir = await mkdtemp(join(tmpdir(), 'credcheck-opa-capabilities-'));
      const path = join(dir, 'capabilities.json');
      await writeFile(path, JSON.stringify(capabilities));
      return path;
    })();
    return this.capabilitiesFile;
  }

  private opa(request: CompileRequest, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(this.opaPath, args, { timeout: this.timeLimitMs, maxBuffer: 64 * 1024 * 1024, signal: request.signal }, (error, stdout, stderr) => {
        if (error && (error as { code?: unknown }).code === 'ENOENT') reject(new Error(`opa was not found at ${this.opaPath}`));
        else if (error?.name === 'AbortError') reject(error);
        else if (error?.killed) reject(new Error(`opa ${args[0]} timed out after ${this.timeLimitMs / 1000} s`));
        else resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }
}

/** The rule's name as the embedded compiler reports it: `deny`, or the ground part of a ref head (`a.b`). */
function ruleName(head: { name?: string; ref?: OpaTerm[] }): string {
  if (!head.ref?.length) return head.name ?? '';
  const firstVariable = head.ref.findIndex((term, i) => i > 0 && term.type !== 'string');
  const ground = firstVariable < 0 ? head.ref : head.ref.slice(0, firstVariable);
  return ground.map((term) => String(term.value)).join('.');
}

function slashPath(path: OpaTerm[]): string {
  return path
    .slice(1)
    .map((term) => String(term.value).replace(/%/g, '%25').replace(/\//g, '%2F'))
    .join('/');
}

function toProblems(run: { stdout: string; stderr: string }, written: Written[]): PolicyProblem[] {
  let errors: OpaError[];
  try {
    errors = (JSON.parse(run.stdout || run.stderr) as { errors: OpaError[] }).errors;
  } catch {
    return [{ file: written[0]?.file ?? '', line: 0, column: 0, message: restoreNames((run.stderr || run.stdout).trim(), written), code: 'opa_error' }];
  }
  return errors.map((error) => {
    const source = written.find((candidate) => candidate.path === error.location?.file) ?? written.find((candidate) => error.location?.file && candidate.path.endsWith(error.location.file));
    const line = error.location?.row ?? 0;
    return {
      file: source?.file ?? error.location?.file ?? '',
      line,
      column: source && error.location ? utf16Column(source.source, line, error.location.col) : (error.location?.col ?? 0),
      message: restoreNames(error.message, written),
      ...(error.code && { code: error.code }),
    };
  });
}

function restoreNames(message: string, written: Written[]): string {
  return written.reduce((text, module) => text.split(module.path).join(module.file), message);
}

/** opa counts columns in code points; editors count UTF-16 units (an emoji is two). */
function utf16Column(source: string, row: number, column: number): number {
  const line = source.split('\n')[row - 1];
  if (line === undefined || column < 1) return column;
  const codePoints = Array.from(line);
  return codePoints.slice(0, column - 1).join('').length + 1 + Math.max(0, column - 1 - codePoints.length);
}

/** Reads one file out of a gzipped ustar archive (opa's bundle.tar.gz), without a tar dependency. */
function extractFromTarGz(archive: Buffer, wanted: string): Uint8Array | undefined {
  const tar = gunzipSync(archive);
  const text = (start: number, length: number) => tar.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, 100);
    if (!name) break;
    const prefix = text(offset + 345, 155);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const full = prefix ? `${prefix}/${name}` : name;
    if (full === wanted || `/${full}` === wanted || full === `.${wanted}`) return new Uint8Array(tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
