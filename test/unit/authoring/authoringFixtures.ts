// Shared by the authoring unit tests: builtin docs shaped like the compiler's, and the sample report as `input`.
import * as fs from 'fs';
import * as path from 'path';
import type { BuiltinDoc } from '../../../src/core/compiler/regoTooling';
import type { PolicyInput } from '../../../src/core/model';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';

export const BUILTINS: BuiltinDoc[] = [
  { name: 'sprintf', signature: 'sprintf(format: string, values: array[any]) => string', description: 'Returns the given string, formatted.', categories: ['strings'] },
  { name: 'count', signature: 'count(collection: any) => number', description: 'Count takes a collection or string and returns the number of elements in it.', categories: ['aggregates'] },
  { name: 'time.parse_rfc3339_ns', signature: 'time.parse_rfc3339_ns(value: string) => number', description: 'Returns the time in nanoseconds parsed from the string in RFC3339 format.', categories: ['time'] },
  { name: 'time.now_ns', signature: 'time.now_ns() => number', description: 'Returns the current time since epoch in nanoseconds.', categories: ['time'] },
];

/** The bundled sample report, normalised as policies see it, at a fixed evaluation time. */
export function sampleInput(): PolicyInput {
  const file = path.join(__dirname, '..', '..', '..', '..', 'samples', 'sample-credential-report.csv');
  return normalizeReport(parseReport(fs.readFileSync(file, 'utf8'), 'sample-credential-report.csv'), new Date('2021-02-09T08:42:56Z'));
}

/** Line and column (0-based) of the first `marker` in `source`, and the source without it. */
export function cursor(sourceWithMarker: string, marker = '|'): { source: string; line: number; column: number } {
  const offset = sourceWithMarker.indexOf(marker);
  if (offset < 0) throw new Error('no cursor marker');
  const before = sourceWithMarker.slice(0, offset).split('\n');
  return { source: sourceWithMarker.slice(0, offset) + sourceWithMarker.slice(offset + marker.length), line: before.length - 1, column: before[before.length - 1]!.length };
}
