import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamedOutput } from '../../../src/core/output/streamedOutput';

describe('StreamedOutput', () => {
  let parent: string;
  beforeEach(() => (parent = mkdtempSync(join(tmpdir(), 'credcheck-spill-test-'))));
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('keeps the spilled findings out of the temporary directory while it writes them, and still reads them back', () => {
    const output = new StreamedOutput('csv', parent);
    output.add('a.csv', 'line one\r\n');
    output.add('b.csv', 'line two\r\n');
    // Findings name users and keys: nothing is left in the directory for another process, or after a kill.
    assert.deepEqual(readdirSync(parent), []);
    const chunks: Buffer[] = [];
    output.finish({ reports: [], policyProblems: [], evaluationTime: '2024-01-01T00:00:00Z', lateFindings: [], problems: [], complete: true }, (chunk) => chunks.push(Buffer.from(chunk)));
    const text = Buffer.concat(chunks).toString('utf8');
    assert.ok(text.endsWith('line one\r\nline two\r\n'), text);
    assert.deepEqual(readdirSync(parent), []);
  });
});
