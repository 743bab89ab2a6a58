/**
 * The one façade both front ends call: reports in, findings out. It orders the steps (parse, normalise, evaluate the
 * bundled checks in-process, evaluate user policies isolated in a worker, map results through the policy contract,
 * apply suppressions) and owns none of them. The evaluation time is chosen by the caller and read once.
 */
import { projectInput } from '../engine/inputProjection';
import { BundledPolicies, CatalogEntry, loadBundledPolicies } from '../checks/catalog';
import { isTransientCompileError } from '../compiler/compilerCache';
import { CompileResult, RegoCompiler, RegoModule } from '../compiler/regoCompiler';
import { IsolatedEvaluationError, IsolationLimits, evaluateIsolated } from '../engine/isolatedEvaluation';
import { PolicyEngine, PolicyEvaluationError, RawResults } from '../engine/policyEngine';
import { PolicyPrint, printsOf } from '../engine/policyPrints';
import { describePackage, mapPackageResult } from '../engine/resultMapper';
import { groupEntrypoints } from '../engine/ruleEntrypoints';
import { PolicyUnit, splitPolicyUnits } from './policyUnits';
import { Finding, MfaDevice, ParsedReport, PolicyInput, PolicyProblem, ReportProblem } from '../model';
import { normalizeReport } from '../report/normalizer';
import { parseReport } from '../report/reportParser';
import { DecodedReportText } from '../report/reportDecoding';
import { DEFAULT_MAX_REPORT_BYTES, problemReport, reportSizeProblem } from '../report/reportLoader';
import { applySuppressions, Suppression } from './suppressions';

export interface ReportSource {
  file: string;
  /** The CSV text; empty when `problem` says why there is none. */
  text: string;
  /** A fatal problem found before parsing (the file could not be read): the report is audited as empty, with it. */
  problem?: ReportProblem;
  /** How the text was decoded from the file's bytes: bytes that were not valid text become located warnings. */
  decoding?: DecodedReportText;
  /** The wrappings the CSV was taken out of (gzip, an AWS CLI answer, base64): its problems say their lines are the decoded CSV's. */
  layers?: string[];
  /** Problems found beside the report (its metadata sidecar): added to the report's problems, the report is still audited. */
  problems?: ReportProblem[];
  generatedTime?: string;
  mfaDevices?: MfaDevice[] | null;
}

/** Which bundled checks run: an explicit list of ids, or changes to the defaults (METADATA enabled_by_default). */
export type CheckSelection = string[] | { enable?: string[]; disable?: string[] };

export interface AuditOptions {
  reports: ReportSource[];
  /** The evaluation time: one instant for the whole run. */
  now: Date;
  /** Check parameters, seen by policies as `data.params`. */
  params?: Record<string, unknown>;
  userPolicies?: RegoModule[];
  /** Needed only when there are user policies. Wrap it in a CompilerCache to compile an unchanged policy set once. */
  compiler?: RegoCompiler;
  suppressions?: Suppression[];
  enabledChecks?: CheckSelection;
  signal?: AbortSignal;
  /** Run the bundled checks at all (default true). */
  bundledChecks?: boolean;
  /** Override the built bundle (tests). */
  bundled?: BundledPolicies;
  /** Limits for user policies (default 5 s, 256 MiB). */
  userPolicyLimits?: Omit<IsolationLimits, 'signal'>;
  /** Reports longer than this are refused unread, with a too-large problem (default DEFAULT_MAX_REPORT_BYTES). */
  maxReportBytes?: number;
  /**
   * Kept by a caller that audits the same reports again (the extension, while a policy is edited): an unchanged report
   * at the same evaluation time is not parsed, normalised or run through the bundled checks again.
   */
  cache?: AuditCache;
  /** The warm bundled engine, kept by the caller (default: the cache's, else a fresh engine for this call). */
  engines?: EngineCache;
  /** Called after the bundled checks ran on each report: `audited` of `total` (user policies run after the last). */
  onReportAudited?: (audited: number, total: number) => void;
}

export interface AuditedReport {
  file: string;
  input: PolicyInput;
  parsed: ParsedReport;
  problems: ReportProblem[];
}

export interface AuditResult {
  reports: AuditedReport[];
  findings: Finding[];
  policyProblems: PolicyProblem[];
  catalog: CatalogEntry[];
  /** print() output of the user policies, per report evaluated (`report`), in order; bounded per evaluation. */
  prints?: ReportPrint[];
}

/** A line a user policy printed while evaluated against `report`. */
export interface ReportPrint extends PolicyPrint {
  report: string;
}

/** What one report gave, kept while its text, evaluation time and settings stay the same. */
interface CachedReport {
  text: string;
  /** Everything but the text that the parsed and normalised report depends on. */
  inputKey: string;
  report: AuditedReport;
  bundled?: { key: string; wasm: Uint8Array; findings: Finding[]; problems: PolicyProblem[] };
}

/**
 * The bundled policy's engine, loaded once and reused while the bundle stays the same: bundled checks run in-process
 * for speed. Owned by the caller (a run, a worker thread, the extension's AuditCache), never module state.
 */
export class EngineCache {
  private loaded: { wasm: Uint8Array; engine: Promise<PolicyEngine> } | undefined;

  /** `maxMemoryMib`: the bundled checks' wasm memory (default MAX_MEMORY_MIB; DEFAULT_MAX_REPORT_BYTES is chosen with it). */
  constructor(private readonly maxMemoryMib?: number) {}

  load(wasm: Uint8Array): Promise<PolicyEngine> {
    if (this.loaded?.wasm !== wasm) this.loaded = { wasm, engine: PolicyEngine.load(wasm, this.maxMemoryMib) };
    return this.loaded.engine;
  }
}

/** The findings one policy unit last gave on one report, before suppressions. */
interface UnitFindings {
  files: string[];
  findings: Finding[];
}

/**
 * Per-file results of earlier audits (the last one of each file, a bounded number of files), the warm engine, and the
 * last good findings of each workspace policy unit on each report: while a policy is briefly invalid during typing,
 * those stay, marked stale, instead of vanishing until it compiles again.
 */
export class AuditCache {
  private readonly entries = new Map<string, CachedReport>();
  /** Report file -> unit key -> findings. */
  private readonly units = new Map<string, Map<string, UnitFindings>>();
  readonly engines = new EngineCache();

  constructor(private readonly maxFiles = 16) {}

  /** Keeps what a unit that compiled and evaluated gave on a report; replaces earlier units made of the same files. */
  storeUnitFindings(report: string, unit: PolicyUnit, findings: Finding[]): void {
    let units = this.units.get(report);
    if (!units) this.units.set(report, (units = new Map()));
    for (const [key, entry] of units) if (key !== unit.key && entry.files.some((file) => unit.ownFiles.includes(file))) units.delete(key);
    units.set(unit.key, { files: unit.ownFiles, findings });
  }

  /**
   * The last good findings of a unit that does not compile now: of the same unit, else of an earlier unit sharing a
   * file with it (the split changed while typing, e.g. a package line half-typed), limited to the rules of its files.
   */
  lastGoodFindings(report: string, unit: PolicyUnit): Finding[] | undefined {
    const units = this.units.get(report);
    const same = units?.get(unit.key);
    if (same) return same.findings;
    const overlapping = [...(units?.values() ?? [])].filter((entry) => entry.files.some((file) => unit.ownFiles.includes(file)));
    if (overlapping.length === 0) return undefined;
    return overlapping.flatMap((entry) => entry.findings).filter((finding) => finding.source && unit.ownFiles.includes(finding.source.file));
  }

  /** Drops the units of a report none of whose files are policies any more (deleted, renamed). */
  pruneUnits(report: string, policyFiles: ReadonlySet<string>): void {
    const units = this.units.get(report);
    if (!units) return;
    for (const [key, entry] of units) if (!entry.files.some((file) => policyFiles.has(file))) units.delete(key);
  }

  /** The earlier result for exactly this report text and input key. */
  lookup(file: string, text: string, inputKey: string): CachedReport | undefined {
    const entry = this.entries.get(file);
    return entry && entry.inputKey === inputKey && entry.text === text ? entry : undefined;
  }

  store(file: string, entry: CachedReport): void {
    this.entries.delete(file);
    this.entries.set(file, entry);
    if (this.entries.size > this.maxFiles) this.forget(this.entries.keys().next().value!);
  }

  /** Drops a file's result (its document was closed). */
  forget(file: string): void {
    this.entries.delete(file);
    this.units.delete(file);
  }
}

export function selectChecks(catalog: CatalogEntry[], selection: CheckSelection | undefined): CatalogEntry[] {
  if (Array.isArray(selection)) return catalog.filter((entry) => selection.includes(entry.id));
  const enable = new Set(selection?.enable ?? []);
  const disable = new Set(selection?.disable ?? []);
  return catalog.filter((entry) => !disable.has(entry.id) && (entry.enabledByDefault || enable.has(entry.id)));
}

/** A bundled check (or, without one, every check) that ran out of its wasm memory on a large report, located on the report. */
function memoryLimitProblem(report: AuditedReport, memoryLimitMib: number, check: string | undefined): PolicyProblem {
  const users = report.input.users.length;
  const what = check ? `check ${check} was not evaluated on it` : 'no check was evaluated on it';
  return {
    file: report.file,
    line: 1,
    column: 1,
    code: 'memory-limit',
    message: `the report (${users.toLocaleString('en-US')} users) does not fit in the ${memoryLimitMib} MiB of memory the checks may use: ${what} (reports up to ${DEFAULT_MAX_REPORT_BYTES / (1024 * 1024)} MB, about 13,000 users, are audited completely)`,
  };
}

function problemForPackage(file: string, line: number, message: string, code: string): PolicyProblem {
  return { file, line, column: line > 0 ? 1 : 0, message, code };
}

/**
 * One report parsed and normalised into the document the policies see: the step `credcheck input` prints, shared so
 * it prints exactly what `check` evaluates.
 */
export function prepareReport(source: ReportSource, now: Date, maxReportBytes = DEFAULT_MAX_REPORT_BYTES): AuditedReport {
  // The editor hands over text it already holds: the limit still keeps parsing (35x the text) from exhausting memory.
  const tooLarge = reportSizeProblem(source.file, Buffer.byteLength(source.text), maxReportBytes);
  const fatal = source.problem ?? tooLarge;
  const parsed = fatal ? problemReport(fatal) : parseReport(source.text, source.file, { decoding: source.decoding, layers: source.layers });
  if (source.generatedTime) parsed.generatedTime = source.generatedTime;
  const input = normalizeReport(parsed, now, { mfaDevices: source.mfaDevices ?? null, generatedTime: source.generatedTime });
  const problems = source.problems && source.problems.length > 0 ? [...source.problems, ...parsed.problems] : parsed.problems;
  return { file: source.file, input, parsed, problems };
}

export async function auditReports(options: AuditOptions): Promise<AuditResult> {
  const { now } = options;
  const cached: (CachedReport | undefined)[] = [];
  const reports: AuditedReport[] = options.reports.map((source) => {
    const inputKey = JSON.stringify([now.toISOString(), source.generatedTime ?? null, source.mfaDevices ?? null, options.maxReportBytes ?? null, source.problem ?? null, source.problems ?? null]);
    const hit = options.cache?.lookup(source.file, source.text, inputKey);
    if (hit) {
      cached.push(hit);
      return hit.report;
    }
    const report = prepareReport(source, now, options.maxReportBytes);
    const entry: CachedReport = { text: source.text, inputKey, report };
    options.cache?.store(source.file, entry);
    cached.push(entry);
    return report;
  });
  const engines = options.engines ?? options.cache?.engines ?? new EngineCache();
  const data = { params: options.params ?? {} };
  const findings: Finding[] = [];
  const policyProblems: PolicyProblem[] = [];
  let catalog: CatalogEntry[] = [];
  const prints: ReportPrint[] = [];

  if (options.bundledChecks !== false) {
    const bundled = options.bundled ?? loadBundledPolicies();
    catalog = bundled.checks;
    const selected = selectChecks(catalog, options.enabledChecks);
    const bundledKey = JSON.stringify([data.params, selected.map((entry) => entry.id)]);
    for (const [index, report] of reports.entries()) {
      if (options.signal?.aborted) throw new Error('audit cancelled');
      const entry = cached[index]!;
      if (!entry.bundled || entry.bundled.key !== bundledKey || entry.bundled.wasm !== bundled.wasm) {
        const reportFindings: Finding[] = [];
        const reportProblems: PolicyProblem[] = [];
        await evaluateBundled(await engines.load(bundled.wasm), bundled, selected, data, report, now, reportFindings, reportProblems);
        entry.bundled = { key: bundledKey, wasm: bundled.wasm, findings: reportFindings, problems: reportProblems };
      }
      for (const finding of entry.bundled.findings) findings.push(finding);
      for (const problem of entry.bundled.problems) addProblem(policyProblems, problem);
      options.onReportAudited?.(index + 1, reports.length);
    }
  }

  if (options.userPolicies && options.userPolicies.length > 0) {
    await auditUserPolicies(options, reports, data, findings, policyProblems, prints, bundledCheckIds(options, catalog));
  }

  const all = options.suppressions ? applySuppressions(findings, options.suppressions, now) : findings;
  all.sort(compareFindings);
  return { reports, findings: all, policyProblems, catalog, prints };
}

/**
 * The ids of the bundled checks, taken whether or not they run: a user policy answering as `root-mfa` would put its
 * findings under a bundled check's name, mapping, documentation and suppressions, so those ids are not a user's to use.
 */
function bundledCheckIds(options: AuditOptions, catalog: CatalogEntry[]): ReadonlySet<string> {
  if (catalog.length > 0) return new Set(catalog.map((entry) => entry.id));
  try {
    return new Set((options.bundled ?? loadBundledPolicies()).checks.map((entry) => entry.id));
  } catch {
    // No bundle built (bundledChecks: false in a checkout that was never built): no bundled check can be impersonated.
    return new Set();
  }
}

/** The selected bundled checks on one report, in-process. One check failing at run time does not stop the others. */
async function evaluateBundled(
  engine: PolicyEngine,
  bundled: BundledPolicies,
  selected: CatalogEntry[],
  data: Record<string, unknown>,
  report: AuditedReport,
  now: Date,
  findings: Finding[],
  policyProblems: PolicyProblem[],
): Promise<void> {
  engine.setData(data);
  // One check failing at run time (a builtin error, its memory cap) is reported on that check; the others still run.
  let remaining = selected.map((entry) => entry.entrypoint);
  let raw: RawResults | undefined;
  while (!raw) {
    try {
      raw = engine.evaluate(projectInput(report.input, bundled.compiled.projection), now, remaining);
    } catch (error) {
      const failed = error instanceof PolicyEvaluationError ? error.entrypoint : undefined;
      const entry = bundled.checks.find((c) => c.entrypoint === failed);
      if (error instanceof PolicyEvaluationError && error.memoryLimitMib !== undefined) {
        // Our checks on a report too big for their memory: the report is what could not be audited, so the problem is on it.
        policyProblems.push(memoryLimitProblem(report, error.memoryLimitMib, entry?.id));
        if (!entry) break;
      } else {
        policyProblems.push(problemForPackage(entry?.source.file ?? '', entry?.source.line ?? 0, (error as Error).message, 'evaluation-error'));
      }
      if (failed === undefined || !remaining.includes(failed)) break;
      remaining = remaining.filter((entrypoint) => entrypoint !== failed);
    }
  }
  if (raw) collect(raw, bundled.compiled, report, findings, policyProblems);
}

/** Adds a problem unless the same one is already there: the same contract breach repeats for every report. */
function addProblem(policyProblems: PolicyProblem[], problem: PolicyProblem): void {
  if (!policyProblems.some((p) => p.file === problem.file && p.line === problem.line && p.message === problem.message)) policyProblems.push(problem);
}

/**
 * Workspace policies, one unit after another (policyUnits.ts): each policy file is compiled (cached per unit by the
 * caller's CompilerCache) and evaluated in the warm worker on its own, so a compile error, runaway or runtime error
 * costs only that unit's findings and is a problem located on its file.
 */
async function auditUserPolicies(
  options: AuditOptions,
  reports: AuditedReport[],
  data: Record<string, unknown>,
  findings: Finding[],
  policyProblems: PolicyProblem[],
  prints: ReportPrint[],
  reservedIds: ReadonlySet<string>,
): Promise<void> {
  const modules = options.userPolicies!;
  const compiler = options.compiler;
  if (!compiler) {
    policyProblems.push({ file: modules[0]!.file, line: 0, column: 0, message: 'no Rego compiler is available to compile this policy', code: 'no-compiler' });
    return;
  }
  const units = splitPolicyUnits(modules);
  const cache = options.cache;
  const policyFiles = new Set(modules.map((module) => module.file));
  for (const report of reports) cache?.pruneUnits(report.file, policyFiles);
  let evaluated = false;
  let failed = false;
  for (const unit of units) {
    if (options.signal?.aborted) throw new Error('audit cancelled');
    const compiled = await compiler.compile({ modules: unit.modules, signal: options.signal });
    if (options.signal?.aborted) throw new Error('audit cancelled');
    if (!compiled.ok) {
      failed = true;
      reportCompileFailure(unit, compiled.errors, reports, cache, findings, policyProblems);
      continue;
    }
    const own = new Set(unit.packages.map((pkg) => pkg.replace(/\./g, '/')));
    // Packages this unit only depends on are evaluated by their own unit: never twice.
    const documents = [...groupEntrypoints(compiled.entrypoints).keys()].filter((document) => unit.packages.length === 0 || own.has(document));
    if (documents.length === 0) continue;
    evaluated = true;
    let results: RawResults[];
    try {
      results = await evaluateIsolated(
        { wasm: compiled.wasm, data, documents, inputs: reports.map((r) => ({ input: projectInput(r.input, compiled.projection), evaluationTime: options.now.toISOString() })) },
        { ...options.userPolicyLimits, signal: options.signal },
      );
    } catch (error) {
      if (!(error instanceof IsolatedEvaluationError)) throw error;
      if (error.kind === 'aborted') throw new Error('audit cancelled');
      failed = true;
      addProblem(policyProblems, evaluationProblem(error, unit, compiled));
      continue;
    }
    reports.forEach((report, index) => {
      const unitFindings: Finding[] = [];
      collect(results[index]!, compiled, report, unitFindings, policyProblems, reservedIds);
      cache?.storeUnitFindings(report.file, unit, unitFindings);
      for (const finding of unitFindings) findings.push(finding);
      // A print without a location (a policy built by a native opa) is at least named after the unit's own file.
      for (const print of printsOf(results[index])) prints.push({ ...print, file: print.file || unit.ownFiles[0]!, report: report.file });
    });
  }
  if (!evaluated && !failed) {
    policyProblems.push({
      file: units[0]?.ownFiles[0] ?? modules[0]!.file, line: 1, column: 1, code: 'no-rules',
      message: 'no package defines deny, violation, warn, info or skip rules: nothing to evaluate',
    });
  }
}

/**
 * A unit that does not compile: its errors (on the files that have them), a problem on the unit's own file when only
 * a library it uses is broken, and its last good findings, marked stale, when the caller keeps them (the editor).
 */
function reportCompileFailure(
  unit: PolicyUnit,
  errors: PolicyProblem[],
  reports: AuditedReport[],
  cache: AuditCache | undefined,
  findings: Finding[],
  policyProblems: PolicyProblem[],
): void {
  for (const error of errors) addProblem(policyProblems, error);
  const broken = errors.find((error) => unit.ownFiles.includes(error.file))?.file ?? errors.find((error) => error.file)?.file ?? unit.ownFiles[0]!;
  if (unit.decides && !unit.ownFiles.includes(broken)) {
    const own = unit.modules[0]!;
    addProblem(policyProblems, {
      file: own.file, line: packageLine(own.source), column: 1, code: 'dependency-error',
      message: `policy ${own.file} was not evaluated: ${broken}, which it uses, does not compile`,
    });
  }
  // A compilation that could not finish (its time limit) says nothing about the sources: no stale claim.
  if (!cache || errors.some(isTransientCompileError)) return;
  for (const report of reports) {
    for (const finding of cache.lastGoodFindings(report.file, unit) ?? []) findings.push({ ...finding, stale: true, staleFile: broken });
  }
}

/** The 1-based line of a module's package statement (1 when there is none). */
function packageLine(source: string): number {
  const match = /^[ \t]*package\b/m.exec(source);
  return match ? source.slice(0, match.index).split('\n').length : 1;
}

/** A failed evaluation, located on the rule that was running (`custom.loop.deny`, file:line) and worded by its cause. */
function evaluationProblem(error: IsolatedEvaluationError, unit: PolicyUnit, compiled: Extract<CompileResult, { ok: true }>): PolicyProblem {
  const code = `evaluation-${error.kind}`;
  const slash = error.rule?.lastIndexOf('/') ?? -1;
  const rulePackage = error.rule && slash > 0 ? error.rule.slice(0, slash) : undefined;
  const ruleName = error.rule && slash > 0 ? error.rule.slice(slash + 1) : undefined;
  const location = compiled.rules.find((rule) => rule.package === rulePackage && rule.name === ruleName);
  const what = error.kind === 'failed' ? `failed: ${error.message}` : error.message;
  if (location && rulePackage) {
    const rule = `${rulePackage.replace(/\//g, '.')}.${ruleName}`;
    return { file: location.file, line: location.line, column: 1, code, message: `policy ${location.file}: rule ${rule} (${location.file}:${location.line}) ${what}` };
  }
  const metadata = error.entrypoint ? describePackage(error.entrypoint, compiled) : undefined;
  const file = metadata?.file || unit.ownFiles[0]!;
  const line = metadata?.file ? metadata.line : packageLine(unit.modules[0]!.source);
  return problemForPackage(file, line, `policy ${file} ${what}`, code);
}

function collect(
  raw: RawResults,
  description: Parameters<typeof describePackage>[1],
  report: AuditedReport,
  findings: Finding[],
  policyProblems: PolicyProblem[],
  reservedIds: ReadonlySet<string> = new Set(),
): void {
  for (const [entrypoint, document] of Object.entries(raw)) {
    const metadata = describePackage(entrypoint, description);
    if (reservedIds.has(metadata.id)) {
      addProblem(policyProblems, {
        ...problemForPackage(metadata.file, metadata.line, '', 'policy-contract'),
        message: `${entrypoint.replace(/\//g, '.')}: check id "${metadata.id}" is the id of a bundled check; its results are not reported (give the package its own METADATA custom.id)`,
      });
      continue;
    }
    const mapped = mapPackageResult(document, { packagePath: entrypoint, metadata, rules: description.rules, input: report.input, parsed: report.parsed });
    // Not push(...): spreading a six-figure array as arguments overflows the stack.
    for (const finding of mapped.findings) findings.push(finding);
    for (const problem of mapped.problems) addProblem(policyProblems, problem);
  }
}

const STATUS_ORDER = { fail: 0, warn: 1, info: 2, skip: 3 };

/** The order of every output: by file, then line, status, check, key and message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    a.check.localeCompare(b.check) ||
    (a.key ?? 0) - (b.key ?? 0) ||
    a.message.localeCompare(b.message)
  );
}
