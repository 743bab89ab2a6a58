import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { regoSprintf } from '../../../src/core/engine/regoSprintf';
import { hasNativeOpa, NATIVE_OPA } from './opaCompilerForTests';

const run = promisify(execFile);

/**
 * [format, args as JSON text]. The args stay JSON text so that native OPA reads the same number text JavaScript
 * parses. Left out on purpose: numbers whose text and JavaScript value disagree on the Go type, e.g. `2.0` (float64 for
 * OPA, the integer 2 for JavaScript) or integers beyond 2^53 (big.Int for OPA, a rounded double for JavaScript); and
 * floats inside arrays/objects written other than JavaScript writes them (`1e21` vs `1e+21`). NaN and Infinity cannot
 * be written in JSON. Those are the documented differences of regoSprintf, not bugs to find here.
 */
const CORPUS: ReadonlyArray<readonly [string, string]> = [
  // %s, %v of every kind of value
  ['%s', '["plain"]'],
  ['%s', '[42]'],
  ['%s', '[92.5]'],
  ['%s', '[true]'],
  ['%s', '[null]'],
  ['%s', '[[1, "a"]]'],
  ['%s', '[{"b": [2, 3], "a": 1}]'],
  ['%v', '["plain"]'],
  ['%v', '[42]'],
  ['%v', '[-42]'],
  ['%v', '[0]'],
  ['%v', '[92.5]'],
  ['%v', '[false]'],
  ['%v', '[null]'],
  ['%v', '[[1, "a", true, null, 1.5]]'],
  ['%v', '[[]]'],
  ['%v', '[{}]'],
  ['%v', '[{"z": {"y": [1, {"x": "q\\"uote"}]}, "a": "line\\nbreak"}]'],
  ['%v', '[{"é": 1, "e": 2, "😀": 3, "\uffff": 4}]'],
  ['%v', '[["tab\\there", "uni é 😀", "\\u0007bell", "\\u00ad"]]'],
  ['%+v', '[5]'],
  ['%+v', '[5.5]'],
  ['%#v', '["x"]'],
  ['%#v', '[5]'],
  ['%#v', '[1.25]'],
  ['%#v', '[[1, 2]]'],
  ['%v and %v', '["a", 1]'],
  ['%s/%s', '["x", {"k": "v"}]'],
  // %d and the integer verbs
  ['%d', '[92]'],
  ['%d', '[-7]'],
  ['%d', '[0]'],
  ['%d', '[9007199254740991]'],
  ['%d', '[-9007199254740991]'],
  ['%d', '[92.5]'],
  ['%d', '["abc"]'],
  ['%d', '[true]'],
  ['%d', '[[1]]'],
  ['%5d|', '[42]'],
  ['%-5d|', '[42]'],
  ['%05d', '[42]'],
  ['%05d', '[-42]'],
  ['%+d', '[42]'],
  ['%+d', '[-42]'],
  ['% d', '[42]'],
  ['%+05d', '[42]'],
  ['%-05d|', '[42]'],
  ['%.3d', '[7]'],
  ['%8.3d|', '[-7]'],
  ['%08.3d', '[7]'],
  ['%.0d|', '[0]'],
  ['%5.0d|', '[0]'],
  ['%x', '[255]'],
  ['%X', '[255]'],
  ['%x', '[-255]'],
  ['%#x', '[255]'],
  ['%#X', '[255]'],
  ['%#08x', '[255]'],
  ['%o', '[8]'],
  ['%#o', '[8]'],
  ['%#o', '[0]'],
  ['%O', '[8]'],
  ['%#O', '[8]'],
  ['%b', '[5]'],
  ['%#b', '[5]'],
  ['%b', '[-5]'],
  ['%c', '[65]'],
  ['%c', '[128512]'],
  ['%c', '[-1]'],
  ['%c', '[55296]'],
  ['%c', '[1114112]'],
  ['%3c|', '[233]'],
  ['%q', '[65]'],
  ['%q', '[39]'],
  ['%q', '[10]'],
  ['%q', '[233]'],
  ['%+q', '[233]'],
  ['%q', '[128512]'],
  ['%q', '[-1]'],
  ['%U', '[65]'],
  ['%#U', '[65]'],
  ['%#U', '[10]'],
  ['%U', '[128512]'],
  ['%.6U', '[65]'],
  ['%U', '[-1]'],
  ['%8U|', '[65]'],
  ['%t', '[1]'],
  ['%e', '[1]'],
  ['%s', '[7]'],
  // floats
  ['%f', '[92.5]'],
  ['%.2f', '[92.456]'],
  ['%.2f', '[0.125]'],
  ['%.0f', '[0.5]'],
  ['%.0f', '[1.5]'],
  ['%.0f', '[2.5]'],
  ['%.1f', '[0.05]'],
  ['%.1f', '[0.04]'],
  ['%.3f', '[-0.0005]'],
  ['%F', '[3.25]'],
  ['%8.2f|', '[3.14159]'],
  ['%-8.2f|', '[3.14159]'],
  ['%08.2f', '[-3.14159]'],
  ['%+.2f', '[3.14159]'],
  ['% .2f', '[3.14159]'],
  ['%+08.2f', '[3.14159]'],
  ['%#.0f', '[3.5]'],
  ['%.30f', '[0.1]'],
  ['%.2f', '[1e21]'],
  ['%f', '[1e-7]'],
  ['%f', '[123456789012345680000.5e-1]'],
  ['%e', '[92.5]'],
  ['%E', '[92.5]'],
  ['%.3e', '[123456.789]'],
  ['%e', '[1e21]'],
  ['%e', '[1e-7]'],
  ['%e', '[1.5e-300]'],
  ['%.0e', '[2.5]'],
  ['%#.0e', '[2.5]'],
  ['%g', '[92.5]'],
  ['%g', '[1e21]'],
  ['%g', '[1e-7]'],
  ['%g', '[0.0001]'],
  ['%g', '[123456.5]'],
  ['%g', '[1234567.5]'],
  ['%G', '[1e-7]'],
  ['%.3g', '[92.5]'],
  ['%.3g', '[1234.5]'],
  ['%.0g', '[2.5]'],
  ['%.10g', '[0.1]'],
  ['%#g', '[1.5]'],
  ['%#g', '[100000.5]'],
  ['%#.3g', '[1.5]'],
  ['%v', '[1e21]'],
  ['%v', '[1e20]'],
  ['%v', '[1e-7]'],
  ['%v', '[0.1]'],
  ['%v', '[-0.1]'],
  ['%v', '[123456.789]'],
  ['%v', '[0.30000000000000004]'],
  ['%v', '[5e-324]'],
  ['%v', '[1.7976931348623157e308]'],
  ['%.3v', '[3.14159]'],
  ['%10v|', '[3.14159]'],
  ['%b', '[1.5]'],
  ['%x', '[1.5]'],
  ['%X', '[-1.5]'],
  ['%x', '[0.1]'],
  ['%.2x', '[0.1]'],
  ['%#x', '[1.5]'],
  ['%d', '[1.5e-3]'],
  ['%s', '[1e21]'],
  ['%c', '[1.5]'],
  ['%q', '[1.5]'],
  // strings
  ['%s', '["héllo wörld 😀"]'],
  ['%10s|', '["abc"]'],
  ['%-10s|', '["abc"]'],
  ['%010s|', '["abc"]'],
  ['%5s|', '["😀é"]'],
  ['%.2s', '["héllo"]'],
  ['%.2s', '["😀😀😀"]'],
  ['%.0s|', '["abc"]'],
  ['%8.3s|', '["abcdef"]'],
  ['%q', '["x"]'],
  ['%q', '["say \\"hi\\"\\n\\tback\\\\slash"]'],
  ['%q', '["\\u0000\\u0007\\b\\f\\r\\u000b\\u001b\\u007f"]'],
  ['%q', '["uni é ü ñ 中文 😀"]'],
  ['%q', '["\\u00a0nbsp \\u00ad shy \\u200b zwsp \\u2028 ls \\ufeff bom"]'],
  ['%q', '["\\ud83d\\ude00 pair and lone \\ud800 surrogate"]'],
  ['%+q', '["uni é 😀 \\u00a0"]'],
  ['%#q', '["back `quote`"]'],
  ['%#q', '["no backquote"]'],
  ['%#q', '["tab\\tok"]'],
  ['%#q', '["new\\nline"]'],
  ['%#+q', '["é"]'],
  ['%10q|', '["a"]'],
  ['%-10q|', '["a"]'],
  ['%.2q', '["abcdef"]'],
  ['%q', '[[1, "a"]]'],
  ['%q', '[true]'],
  ['%x', '["hi"]'],
  ['%X', '["hé"]'],
  ['% x', '["abc"]'],
  ['%#x', '["abc"]'],
  ['%# X', '["abc"]'],
  ['%.2x', '["abc"]'],
  ['%10x|', '["abc"]'],
  ['%-10x|', '["abc"]'],
  ['%010x', '["abc"]'],
  ['%x|', '[""]'],
  ['%5x|', '[""]'],
  ['%x', '[[1]]'],
  ['%s', '[""]'],
  ['%t', '[true]'],
  ['%t', '["true"]'],
  ['%5t|', '[false]'],
  ['%d', '[null]'],
  // %T and %%
  ['%T', '[1]'],
  ['%T', '[1.5]'],
  ['%T', '["s"]'],
  ['%T', '[true]'],
  ['%T', '[[1]]'],
  ['%10T|', '[1]'],
  ['%.3T', '[1.5]'],
  ['100%%', '[]'],
  ['%5%|', '[]'],
  ['%d%%', '[50]'],
  // width and precision from arguments
  ['%*d|', '[5, 42]'],
  ['%-*d|', '[5, 42]'],
  ['%*d|', '[-5, 42]'],
  ['%.*f', '[2, 3.14159]'],
  ['%*.*f|', '[8, 3, 3.14159]'],
  ['%.*f', '[-1, 3.14159]'],
  ['%*d', '["x", 42]'],
  ['%*d', '[1.5, 42]'],
  ['%.*d', '["x", 42]'],
  ['%*d', '[2000000, 42]'],
  ['%*d', '[]'],
  ['%*s|', '[3, "😀"]'],
  // explicit argument indexes
  ['%[2]d %[1]d', '[1, 2]'],
  ['%[1]s %[1]q', '["x"]'],
  ['%[2]*[1]d|', '[12, 5]'],
  ['%[3]*.[2]*[1]f|', '[12.0123, 2, 6]'],
  ['%[1]d %d', '[1, 2]'],
  ['%[3]d', '[1, 2]'],
  ['%[0]d', '[1]'],
  ['%[x]d', '[1]'],
  ['%[1]', '[1]'],
  ['%[1', '[1]'],
  ['%[2]d', '[1]'],
  ['%[1]2d', '[1]'],
  ['%[1].2d', '[1]'],
  ['%d %d %[1]d', '[1]'],
  // error forms
  ['%d', '[]'],
  ['%d %d', '[1]'],
  ['%s', '[]'],
  ['%v', '[]'],
  ['x', '[1]'],
  ['%d', '[1, 2, "x"]'],
  ['%s', '["a", 2.5, true, [1], {"k": null}]'],
  ['%z', '[1]'],
  ['%z', '["s"]'],
  ['%5z', '[1]'],
  ['%+z', '[1.5]'],
  ['%.1z', '["abc"]'],
  ['%!', '[1]'],
  ['%é', '[1]'],
  ['%😀', '["s"]'],
  ['%p', '[1]'],
  ['%w', '["x"]'],
  ['%#w', '["x"]'],
  ['%', '[]'],
  ['%', '[1]'],
  ['abc%', '[1]'],
  ['%-', '[1]'],
  ['%5', '[1]'],
  ['%.', '[1]'],
  ['%.5', '[1]'],
  ['%12345678d', '[1]'],
  ['%.12345678d|', '[1]'],
  ['%[12345678]d', '[1]'],
  ['%[99999999999]d', '[1]'],
  ['%d %s %v', '[1, "a"]'],
  // realistic policy messages
  ['user %s: access key %d unused for %d days (limit %d)', '["alice", 1, 120, 90]'],
  ['user %q has MFA=%v and keys %v', '["bob", false, ["AKIA1", "AKIA2"]]'],
  ['%s: %.1f%% of users lack MFA', '["account", 33.3333]'],
  ['password age %d > %d', '[92.5, 90]'],
  ['%s', '[{"user": "alice", "arn": "arn:aws:iam::123:user/alice", "mfa_active": false}]'],
];

describe('regoSprintf', () => {
  describe('pinned results (no OPA needed)', () => {
    const cases: Array<[string, unknown[], string]> = [
      ['%s', ['alice'], 'alice'],
      ['%d', [92], '92'],
      ['%d', [92.5], '%!d(float64=92.5)'],
      ['%v', [[1, 'a']], '[1, "a"]'],
      ['%v', [{ b: [2, 3], a: 1 }], '{"a": 1, "b": [2, 3]}'],
      ['%q', ['x"y'], '"x\\"y"'],
      ['%.2f', [3.14159], '3.14'],
      ['%5d|', [42], '   42|'],
      ['%-5s|', ['ab'], 'ab   |'],
      ['%d', [1, 2], '1%!(EXTRA int64=2)'],
      ['%d %s', [1], '1 %!s(MISSING)'],
      ['%t', [true], '%!t(string=true)'],
      ['%v', [1e21], '1e+21'],
      ['%x', [-255], '-ff'],
      ['%z', [1], '%!z(int64=1)'],
      ['%', [], '%!(NOVERB)'],
      ['%*d', ['x', 1], '%!(BADWIDTH)1'],
      ['%.*d', ['x', 1], '%!(BADPREC)1'],
      ['%[3]d', [1], '%!d(BADINDEX)'],
      ['%d', [1, 'x', null], '1%!(EXTRA string=x, string=null)'],
    ];
    for (const [format, args, expected] of cases) {
      it(`sprintf(${JSON.stringify(format)}, ${JSON.stringify(args)}) = ${JSON.stringify(expected)}`, () => {
        assert.equal(regoSprintf(format, args), expected);
      });
    }
  });

  describe('against native OPA', function () {
    before(function () {
      if (!hasNativeOpa) {
        console.log(`    (skipped: native OPA not found at ${NATIVE_OPA}; run scripts/setup.sh)`);
        this.skip();
      }
    });

    it(`formats all ${CORPUS.length} corpus cases byte for byte as opa eval does`, async () => {
      assert.ok(CORPUS.length >= 150);
      const dir = await mkdtemp(join(tmpdir(), 'credcheck-sprintf-'));
      try {
        // Built as text so each case's numbers reach OPA with exactly the text JSON.parse sees.
        const data = `{"cases": [\n${CORPUS.map(([format, args]) => `[${JSON.stringify(format)}, ${args}]`).join(',\n')}\n]}`;
        await writeFile(join(dir, 'cases.json'), data);
        // Keyed by index rather than collected in an array, so the pairing with the corpus never depends on order.
        await writeFile(join(dir, 'sprintf.rego'), 'package t\n\nout := {i: sprintf(c[0], c[1]) | some i, c in data.cases}\n');
        const { stdout } = await run(NATIVE_OPA, ['eval', '--format', 'json', '-d', join(dir, 'cases.json'), '-d', join(dir, 'sprintf.rego'), 'data.t.out'], {
          maxBuffer: 16 * 1024 * 1024,
        });
        const native = JSON.parse(stdout).result[0].expressions[0].value as Record<string, string>;
        assert.equal(Object.keys(native).length, CORPUS.length);

        const mismatches: string[] = [];
        CORPUS.forEach(([format, args], index) => {
          const expected = native[String(index)];
          let actual: string;
          try {
            actual = regoSprintf(format, JSON.parse(args) as unknown[]);
          } catch (error) {
            actual = `<threw ${String(error)}>`;
          }
          if (actual !== expected) mismatches.push(`sprintf(${JSON.stringify(format)}, ${args}): opa ${JSON.stringify(expected)}, ours ${JSON.stringify(actual)}`);
        });
        assert.deepEqual(mismatches, []);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
