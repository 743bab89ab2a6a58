/**
 * The run layer: every step of a run in one place. A front end builds a RunRequest, calls runAudit with the caches it
 * owns, and reads the RunResult: buildOutputContext / writeRunOutput for the outputs, exitCodeOf for the exit code.
 */
export { prepareRunInputs, runAudit } from './runAudit';
export { buildOutputContext, discardRunOutput, exitCodeOf, writeRunOutput } from './runOutput';
export type { OutputOptions } from './runOutput';
export { locateReport, readReportSource, resolveEvaluationTime } from './reportSources';
export type { ReportLocation } from './reportSources';
export { RunRequestError } from './runModel';
export type { ReportRequest, RunCaches, RunReport, RunRequest, RunResult } from './runModel';
export { describeParameter, parameterSpecs, validateCheckIds, validateFramework, validateParameters } from './runSettings';
export type { ParameterSpec, ValidatedParameters } from './runSettings';
export { formatProblem } from '../output/problemText';
export type { RunProblem } from '../output/outputModel';
export { AuditCache, EngineCache } from './audit';
export { CompilerCache } from '../compiler/compilerCache';
