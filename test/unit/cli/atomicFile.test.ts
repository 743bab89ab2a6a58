/**
 * Output files written whole or not at all, without trusting the folder (issue #15, classes 7 and 8): a local attacker
 * planting files or links where the tool writes, and a write failing half-way through.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputTarget, OutputFileError, writeFileAtomically, writeWholeFile } from '../../../src/core/files/atomicFile';
import { run as fetchCommand } from '../../../src/cli/commands/fetch';
import { CliIo } from '../../../src/cli/io';
import { withOutputSink } from '../../../src/cli/runArguments';
import { IamStubServer, STUB_REPORT } from '../../support/iamStubServer';

const mode = (path: string) => statSync(path).mode & 0o777;

function memoryIo(cwd: string, env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('output files: atomic, exclusive, owner-only (atomicFile)', function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fetch --out does not follow a symlink planted at the old predictable temporary name (<file>.<pid>.tmp)', async () => {
    const stub = await IamStubServer.start({});
    const saved = { ...process.env };
    try {
      // The attacker's world-readable file, and a link to it where the old code put its temporary file.
      const trap = join(dir, 'attacker-owned.txt');
      writeFileSync(trap, 'nothing yet\n', { mode: 0o644 });
      symlinkSync(trap, join(dir, `report.csv.${process.pid}.tmp`));
      symlinkSync(trap, join(dir, `report.csv.meta.json.${process.pid}.tmp`));
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIAATOMICTEST000001', AWS_SECRET_ACCESS_KEY: 'atomic-test-secret-00000000000000000000',
        AWS_CONFIG_FILE: join(dir, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'), AWS_EC2_METADATA_DISABLED: 'true',
      });
      delete process.env.AWS_PROFILE;
      const io = memoryIo(dir);
      const code = await fetchCommand(['--endpoint-url', stub.url, '--out', 'report.csv'], io);
      assert.equal(code, 0, io.err);
      assert.equal(readFileSync(trap, 'utf8'), 'nothing yet\n', 'the report went into the planted file');
      assert.equal(readFileSync(join(dir, 'report.csv'), 'utf8'), STUB_REPORT);
      assert.ok(lstatSync(join(dir, 'report.csv')).isFile());
      assert.equal(mode(join(dir, 'report.csv')), 0o600);
      assert.equal(mode(join(dir, 'report.csv.meta.json')), 0o600);
      assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp') && !name.includes(String(process.pid))), [], 'a temporary file was left');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      await stub.stop();
    }
  });

  it('creates the temporary file exclusively: a link planted at its very name is never written through', () => {
    const trap = join(dir, 'trap.txt');
    writeFileSync(trap, 'untouched\n', { mode: 0o644 });
    // Suppose the attacker guessed the first random name: the open fails (O_EXCL) and another name is drawn.
    symlinkSync(trap, join(dir, '.out.json.guessed.tmp'));
    const suffixes = ['guessed', 'second'];
    writeWholeFile(join(dir, 'out.json'), '{"findings": []}\n', { temporarySuffix: () => suffixes.shift()! });
    assert.equal(readFileSync(trap, 'utf8'), 'untouched\n');
    assert.equal(readFileSync(join(dir, 'out.json'), 'utf8'), '{"findings": []}\n');
    assert.deepEqual(suffixes, [], 'the planted name was not skipped');
    // The random part really is random: two writes never share a temporary name.
    const names = new Set<string>();
    for (let index = 0; index < 20; index++) {
      writeWholeFile(join(dir, 'out.json'), 'x', { writeBytes: () => names.add(readdirSync(dir).find((name) => name.startsWith('.out.json.') && name !== '.out.json.guessed.tmp')!) });
    }
    assert.equal(names.size, 20);
    for (const name of names) assert.match(name, /^\.out\.json\.[0-9a-f]{16}\.tmp$/);
  });

  it('keeps an existing output intact until the new one is complete: a failure mid-write leaves it and no temporary file', () => {
    const output = join(dir, 'findings.json');
    writeFileSync(output, 'the previous complete output\n');
    // The document is written in blocks; it fails after the first (an exception of the formatter, then a full disk).
    assert.throws(
      () => writeFileAtomically(output, (write) => {
        write('{"findings": [\n');
        throw new Error('formatter failed');
      }),
      /formatter failed/,
    );
    let calls = 0;
    assert.throws(
      () => writeFileAtomically(output, (write) => {
        for (let block = 0; block < 10; block++) write(`block ${block}\n`);
      }, {
        writeBytes: () => {
          if (++calls === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
      }),
      (error: unknown) => error instanceof OutputFileError && error.message === `cannot write ${output}: no space left on device (ENOSPC)`,
    );
    assert.equal(calls, 3, 'the writer went on after the failure');
    assert.equal(readFileSync(output, 'utf8'), 'the previous complete output\n');
    assert.deepEqual(readdirSync(dir), ['findings.json']);
  });

  it('check --output (withOutputSink) replaces the file only once the whole output is written', () => {
    const output = join(dir, 'out.csv');
    writeFileSync(output, 'old,complete\n');
    const blocks: string[] = [];
    assert.throws(() =>
      withOutputSink(memoryIo(dir), 'out.csv', (write) => {
        write(Buffer.from('header\r\n'));
        blocks.push(readFileSync(output, 'utf8'));
        throw new Error('interrupted');
      }),
    );
    assert.deepEqual(blocks, ['old,complete\n'], 'the previous output was already gone while writing');
    assert.equal(readFileSync(output, 'utf8'), 'old,complete\n');
    withOutputSink(memoryIo(dir), 'out.csv', (write) => write(Buffer.from('header\r\nrow\r\n')));
    assert.equal(readFileSync(output, 'utf8'), 'header\r\nrow\r\n');
    assert.deepEqual(readdirSync(dir), ['out.csv']);
  });

  it('replaces a symlink at the output name instead of writing into the file it points to', () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, 'out.json'));
    writeWholeFile(join(dir, 'out.json'), 'new\n');
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.ok(lstatSync(join(dir, 'out.json')).isFile());
    assert.equal(readFileSync(join(dir, 'out.json'), 'utf8'), 'new\n');
  });

  it('writes a new output owner-only, keeps the mode of the user\'s existing file, and always writes a report owner-only', () => {
    writeWholeFile(join(dir, 'new.json'), 'x');
    assert.equal(mode(join(dir, 'new.json')), 0o600);
    writeFileSync(join(dir, 'shared.json'), 'old', { mode: 0o640 });
    writeWholeFile(join(dir, 'shared.json'), 'x');
    assert.equal(mode(join(dir, 'shared.json')), 0o640);
    writeFileSync(join(dir, 'report.csv'), 'old', { mode: 0o644 });
    writeWholeFile(join(dir, 'report.csv'), 'x', { mode: 0o600, forceMode: true });
    assert.equal(mode(join(dir, 'report.csv')), 0o600);
  });

  it('refuses a directory, a missing folder and a file used as a folder with one line naming the path', () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'plain'), '');
    const cases: Array<[string, string]> = [
      ['sub', 'sub is a directory; give a file name'],
      ['missing/out.json', 'cannot write missing/out.json: the folder missing does not exist'],
      ['plain/out.json', 'cannot write plain/out.json: plain is not a folder'],
    ];
    for (const [path, message] of cases) {
      assert.throws(() => checkOutputTarget(join(dir, path), path), (error: unknown) => error instanceof OutputFileError && error.message === message);
      assert.throws(() => writeWholeFile(join(dir, path), 'x', { shown: path }), (error: unknown) => error instanceof OutputFileError && error.message === message);
    }
  });

  it('writes a device in place (/dev/null), and refuses a FIFO that another user planted', function () {
    writeWholeFile('/dev/null', 'discarded');
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null was replaced');
    if (process.platform === 'win32' || process.getuid?.() !== 0) this.skip(); // making a FIFO another user's needs root
    const fifo = join(dir, 'out.json');
    execFileSync('mkfifo', [fifo]);
    chownSync(fifo, 65534, 65534);
    assert.throws(() => writeWholeFile(fifo, 'findings', { shown: 'out.json' }), (error: unknown) => error instanceof OutputFileError && /^out\.json is a FIFO owned by another user \(uid 65534\)/.test(error.message));
  });
});
