/**
 * The json and csv outputs of a run too big to hold in memory (`credcheck check --jobs`): findings arrive report by report,
 * already in output order and already serialised (by the worker that audited the report), and are spilled to a
 * temporary file; `finish` writes the document around them. The bytes are those of jsonFormatter / csvFormatter for the
 * same findings: the JSON document puts the reports (known only at the end) before the findings, hence the spill.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Finding, PolicyProblem } from '../model';
import { CSV_HEADER, toCsvRow } from './csvFormatter';
import { toFindingRecord } from './findingFields';
import { ReportSummary, RunProblem } from './outputModel';
import { toReportRecord } from './jsonFormatter';

export type StreamedFormat = 'json' | 'csv';

export const STREAMED_FORMATS: readonly StreamedFormat[] = ['json', 'csv'];

/** JSON.stringify(x, null, 2) nested `depth` levels deep: its lines shifted right (JSON text has no raw newline in strings). */
function nested(value: unknown, pad: string): string {
  return `${pad}${JSON.stringify(value, null, 2).replace(/\n/g, `\n${pad}`)}`;
}

/** Findings serialised as they appear inside the whole document: JSON array items joined by ",\n", or CSV lines. */
export function serialiseFindings(format: StreamedFormat, findings: Finding[]): string {
  if (format === 'csv') {
    let text = '';
    for (const finding of findings) text += `${toCsvRow(finding)}\r\n`;
    return text;
  }
  if (findings.length === 0) return '';
  // One native stringify at the depth the items have in the document (`{"findings": [` indents them by four), then the
  // wrapper cut off: the items come out exactly as jsonFormatter writes them, without re-indenting each one.
  const wrapped = JSON.stringify({ findings: findings.map(toFindingRecord) }, null, 2);
  return wrapped.slice(wrapped.indexOf('[\n') + 2, wrapped.lastIndexOf('\n  ]'));
}

/** What is known only when every report is done. */
export interface StreamedOutputEnding {
  reports: ReportSummary[];
  policyProblems: PolicyProblem[];
  evaluationTime: string;
  /** Findings made at the end (expired or unused suppressions), sorted; they go between the reports' findings by file name. */
  lateFindings: Finding[];
  /** Every problem of the run and whether it is complete, as jsonFormatter writes them (csv leaves them out). */
  problems: RunProblem[];
  complete: boolean;
}

const COPY_BLOCK = 4 * 1024 * 1024;

export class StreamedOutput {
  private readonly dir: string;
  private readonly fd: number;
  /** Whether the spill file is already gone from the directory (only the open descriptor reaches it). */
  private unlinked = false;
  private readonly pieces: { file: string; offset: number; length: number }[] = [];
  private size = 0;

  constructor(readonly format: StreamedFormat, parent = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'credcheck-findings-'));
    const path = join(this.dir, 'findings.part');
    this.fd = openSync(path, 'w+', 0o600);
    // Findings name users and keys: where the system allows it (POSIX), the file leaves the directory at once and lives
    // only as the open descriptor, so nothing is left behind even when the process is killed. Elsewhere (Windows) it is
    // removed by dispose().
    try {
      unlinkSync(path);
      rmSync(this.dir, { recursive: true, force: true });
      this.unlinked = true;
    } catch {
      // kept until dispose()
    }
  }

  /** One report's findings, serialised by serialiseFindings; reports must come in output order (by file name). */
  add(file: string, text: string): void {
    if (text.length === 0) return;
    const bytes = Buffer.from(text, 'utf8');
    writeFully(this.fd, bytes, this.size);
    this.pieces.push({ file, offset: this.size, length: bytes.length });
    this.size += bytes.length;
  }

  /** Writes the whole document through `write`, in blocks, and removes the spill file. */
  finish(ending: StreamedOutputEnding, write: (chunk: Buffer) => void): void {
    const text = (value: string) => write(Buffer.from(value, 'utf8'));
    const late = [...ending.lateFindings];
    let first = true;
    // The separator between findings: json items are joined by ",\n", csv lines carry their own line break.
    const separator = this.format === 'json' ? ',\n' : '';
    const emitLate = (before: string | undefined) => {
      while (late.length > 0 && (before === undefined || late[0]!.file.localeCompare(before) < 0)) {
        if (!first) text(separator);
        text(serialiseFindings(this.format, [late.shift()!]));
        first = false;
      }
    };
    const findingCount = this.pieces.length + late.length;
    if (this.format === 'json') {
      text(`{\n  "evaluation_time": ${JSON.stringify(ending.evaluationTime)},\n  "reports": `);
      text(ending.reports.length === 0 ? '[]' : `[\n${ending.reports.map((r) => nested(toReportRecord(r), '    ')).join(',\n')}\n  ]`);
      text(`,\n  "findings": ${findingCount === 0 ? '[]' : '[\n'}`);
    } else {
      text(`${CSV_HEADER}\r\n`);
    }
    for (const piece of this.pieces) {
      emitLate(piece.file);
      if (!first) text(separator);
      first = false;
      for (let done = 0; done < piece.length; ) {
        const block = Buffer.allocUnsafe(Math.min(COPY_BLOCK, piece.length - done));
        const read = readSync(this.fd, block, 0, block.length, piece.offset + done);
        if (read <= 0) throw new Error('the temporary findings file ended early');
        write(read === block.length ? block : block.subarray(0, read));
        done += read;
      }
    }
    emitLate(undefined);
    if (this.format === 'json') {
      if (findingCount > 0) text('\n  ]');
      if (ending.policyProblems.length > 0) text(`,\n  "policy_problems": ${nested(ending.policyProblems, '  ').slice(2)}`);
      text(`,\n  "problems": ${nested(ending.problems, '  ').slice(2)},\n  "complete": ${ending.complete}`);
      text('\n}\n');
    }
    this.dispose();
  }

  /** Closes and deletes the spill file (idempotent). */
  dispose(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    if (!this.unlinked) rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeFully(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
