/**
 * The registry of output formats (conftest's `Get(format)`): one format per module, looked up by name with
 * `getFormatter`. The formatters import only the result model (outputModel.ts), never this module, so there is no
 * import cycle. Formatters are pure: the same result gives the same bytes, which the golden-file tests rely on.
 */
import { asffFormatter } from './asffFormatter';
import { csvFormatter } from './csvFormatter';
import { jsonFormatter } from './jsonFormatter';
import { junitFormatter } from './junitFormatter';
import { markdownFormatter } from './markdownFormatter';
import { ocsfFormatter } from './ocsfFormatter';
import { Formatter } from './outputModel';
import { sarifFormatter } from './sarifFormatter';
import { tableFormatter } from './tableFormatter';

export type { DisplayOptions, Formatter, OutputContext, ReportSummary, RunProblem } from './outputModel';

const formatters: Formatter[] = [tableFormatter, jsonFormatter, sarifFormatter, junitFormatter, csvFormatter, markdownFormatter, ocsfFormatter, asffFormatter];

export const FORMAT_NAMES: readonly string[] = formatters.map((f) => f.name);

export function getFormatter(name: string): Formatter | undefined {
  return formatters.find((f) => f.name === name);
}
