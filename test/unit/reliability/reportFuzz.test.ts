import * as assert from 'node:assert/strict';
import { FUZZ_SEED, runReportFuzz } from '../../fuzz/reportFuzz';

/** The fuzz budget of the unit suite: fixed, so the run is the same every time and stays well under a minute. */
const UNIT_BUDGET = 1000;

describe('mutation fuzzing of parse, normalise and evaluate (seeded, real reports)', function () {
  this.timeout(120_000);

  it(`survives ${UNIT_BUDGET} mutated real reports: no exception, problems on real lines, untouched rows unchanged`, async () => {
    const started = Date.now();
    const statistics = await runReportFuzz(UNIT_BUDGET, FUZZ_SEED);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `      fuzz: ${statistics.cases} cases (seed ${FUZZ_SEED}) in ${seconds} s; ${statistics.rowsChecked} untouched rows re-checked, ` +
        `${statistics.problems} report problems, ${statistics.findings} findings (${statistics.hostileUsers} with a hostile user name)`,
    );
    assert.equal(statistics.cases, UNIT_BUDGET);
    // The oracle must have had rows to compare, or the property would be vacuous.
    assert.ok(statistics.rowsChecked > UNIT_BUDGET, `only ${statistics.rowsChecked} untouched rows were compared`);
    // The outputs must have been checked with hostile names in them, or the output check would be vacuous.
    assert.ok(statistics.hostileUsers > 0, 'no finding had a hostile user name');
  });
});
