/**
 * The metadata `credcheck fetch` writes next to a report as `<report>.meta.json`: what the CSV itself cannot say (when
 * AWS generated it, which MFA devices are virtual). Reading it lets root-hardware-mfa be decided and lets a run be
 * evaluated at the report's own generation time. A sidecar that is present but wrong is an error, never silently
 * ignored: a missing device list would turn a failing check into a skip.
 */
import { MfaDevice, ReportProblem } from '../model';
import { DEFAULT_MAX_REPORT_BYTES, readBoundedFile } from './reportLoader';
import { parseReportTime } from './timeValues';

export interface ReportSidecar {
  /** UTC ISO 8601, or null when the fetch did not know it. */
  generatedTime: string | null;
  /** null when the fetch could not list the devices (e.g. iam:ListVirtualMFADevices denied). */
  mfaDevices: MfaDevice[] | null;
}

export class ReportSidecarError extends Error {
  constructor(readonly file: string, readonly reason: string, readonly line = 1, readonly column?: number) {
    super(`${file}: malformed report metadata: ${reason}`);
    this.name = 'ReportSidecarError';
  }
}

/** What reading a report's sidecar gave: nothing (there is none), its content, or the located problem that made it unusable. */
export type SidecarRead = { sidecar?: ReportSidecar; problem?: ReportProblem };

/**
 * Reads the sidecar of a report (`path` is where the report is, `file` how problems name it), if there is one. A sidecar
 * that is there but unusable is a located error on that report only: the report is still audited (without the
 * metadata), the run is marked incomplete, and the other reports are not affected.
 */
export function readReportSidecar(reportPath: string, reportFile: string, maxBytes = DEFAULT_MAX_REPORT_BYTES): SidecarRead {
  const file = sidecarPathFor(reportFile);
  const read = readBoundedFile(sidecarPathFor(reportPath), maxBytes);
  if (read.error?.code === 'ENOENT') return {};
  const problem = (reason: string, line = 1, column?: number): SidecarRead => ({
    problem: {
      file, line, severity: 'error', code: 'bad-sidecar',
      message: `malformed report metadata: ${reason}; the report is audited without it (no MFA device list, no generation time)`,
      ...(column !== undefined ? { location: { line, startColumn: column - 1, endColumn: column } } : {}),
    },
  });
  if (read.error) return problem(`cannot read it: ${read.error.code ?? read.error.message}`);
  if (read.bytes === undefined) return problem(`it is ${read.size} bytes, over the ${maxBytes}-byte limit`);
  try {
    return { sidecar: parseReportSidecar(read.bytes.toString('utf8'), file) };
  } catch (error) {
    if (error instanceof ReportSidecarError) return problem(error.reason, error.line, error.column);
    throw error;
  }
}

/** Line and column (1-based) of a JSON.parse error, from the position its message gives (both V8 spellings). */
function jsonErrorPlace(text: string, message: string): { line: number; column: number } | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(message);
  if (!position) return undefined;
  const before = text.slice(0, Number(position[1]));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: before.length - lineStart + 1 };
}

const DEVICE_TYPES: readonly MfaDevice['type'][] = ['virtual', 'hardware', 'unknown'];

/** The sidecar's file name for a report file. */
export function sidecarPathFor(reportFile: string): string {
  return `${reportFile}.meta.json`;
}

/** Reads the text of a sidecar; `file` names it in errors. Unknown keys (account_id, profile, notes, ...) are ignored. */
export function parseReportSidecar(text: string, file: string): ReportSidecar {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const place = jsonErrorPlace(text, message) ?? { line: 1, column: undefined };
    throw new ReportSidecarError(file, `not JSON (${message})`, place.line, place.column);
  }
  if (!isRecord(document)) throw new ReportSidecarError(file, 'expected a JSON object');
  return { generatedTime: readGeneratedTime(document.generated_time, file), mfaDevices: readMfaDevices(document.mfa_devices, file) };
}

function readGeneratedTime(value: unknown, file: string): string | null {
  if (value === undefined || value === null) return null;
  const time = typeof value === 'string' ? parseReportTime(value) : null;
  if (!time) throw new ReportSidecarError(file, `generated_time ${JSON.stringify(value)} is not an ISO 8601 time`);
  return time.iso;
}

function readMfaDevices(value: unknown, file: string): MfaDevice[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new ReportSidecarError(file, 'mfa_devices must be an array or null');
  return value.map((device: unknown, index): MfaDevice => {
    const where = `mfa_devices[${index}]`;
    if (!isRecord(device)) throw new ReportSidecarError(file, `${where} must be an object`);
    if (typeof device.serial_number !== 'string') throw new ReportSidecarError(file, `${where}.serial_number must be a string`);
    if (device.user !== null && device.user !== undefined && typeof device.user !== 'string') {
      throw new ReportSidecarError(file, `${where}.user must be a string or null`);
    }
    if (!DEVICE_TYPES.includes(device.type as MfaDevice['type'])) {
      throw new ReportSidecarError(file, `${where}.type must be one of ${DEVICE_TYPES.join(', ')}`);
    }
    return { serial_number: device.serial_number, user: (device.user as string | null | undefined) ?? null, type: device.type as MfaDevice['type'] };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
