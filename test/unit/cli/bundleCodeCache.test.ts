/**
 * The V8 code cache bin/credcheck loads the CLI bundle through (src/cli/bundleCodeCache.ts): used when it is sound,
 * never used for another bundle (even one of the same length, which V8 alone would accept), replaced when damaged or
 * rejected, bounded, and harmless when it cannot be written.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { codeCacheDirectory, KEPT_PER_BUNDLE, loadBundle } from '../../../src/cli/bundleCodeCache';

interface TestBundle {
  double(value: number): number;
  folder(): string;
  sameModule(): boolean;
}

/**
 * One load in a fresh process, as bin/credcheck does it (in this process V8 would answer a second compile of the same
 * source from its in-memory cache and never look at the file): the status, what the bundle computes, and whether the
 * cache was written after it.
 */
function loadInChild(file: string, cache: string | undefined, value: number) {
  // A script file, not `node -e`: node's own options are part of the cache key, and -e's text would be one of them.
  const runner = join(file, '..', 'load-in-child.js');
  writeFileSync(runner, `
    const { loadBundle } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'src', 'cli', 'bundleCodeCache.js'))});
    const [file, cache, value] = process.argv.slice(2);
    const loaded = loadBundle(file, cache === '-' ? undefined : cache);
    const result = { status: loaded.status, doubled: loaded.exports.double(Number(value)), cacheFile: loaded.cacheFile };
    result.saved = loaded.saveCodeCache();
    process.stdout.write(JSON.stringify(result));`);
  const child = spawnSync(process.execPath, [runner, file, cache ?? '-', String(value)], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { status: string; doubled: number; cacheFile?: string; saved: boolean };
}

describe('bundle code cache', () => {
  let work: string;
  let cache: string;
  let file: string;

  const bundleSource = (factor: number) =>
    `'use strict';\nconst { basename } = require('node:path');\n` +
    `exports.double = (value) => value * ${factor};\nexports.folder = () => basename(__dirname);\nexports.sameModule = () => module.exports === exports;\n`;
  const cacheFiles = () => readdirSync(cache).filter((name) => name.endsWith('.bin')).sort();

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'credcheck-codecache-'));
    cache = join(work, 'cache', 'v8');
    file = join(work, 'bundle.js');
    writeFileSync(file, bundleSource(2));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('compiles without a cache, writes one after the run, and uses it on the next load', () => {
    const first = loadBundle(file, cache);
    assert.equal(first.status, 'missing');
    const exports = first.exports as TestBundle;
    assert.deepEqual([exports.double(21), exports.folder(), exports.sameModule()], [42, work.split('/').pop(), true]);
    assert.equal(first.saveCodeCache(), true);
    assert.deepEqual(cacheFiles(), [first.cacheFile!.split('/').pop()]);
    const content = readFileSync(first.cacheFile!);
    assert.ok(createHash('sha256').update(content.subarray(32)).digest().equals(content.subarray(0, 32)), 'the file starts with the digest of its data');
    assert.equal(statSync(cache).mode & 0o777, 0o700);

    assert.deepEqual(loadInChild(file, cache, 4), { status: 'accepted', doubled: 8, cacheFile: first.cacheFile, saved: false });
  });

  it('never gives a rebuilt bundle of the same length the old cache', () => {
    const before = loadInChild(file, cache, 2);
    assert.deepEqual([before.status, before.saved], ['missing', true]);
    writeFileSync(file, bundleSource(3));
    const rebuilt = loadInChild(file, cache, 2);
    assert.deepEqual([rebuilt.status, rebuilt.doubled, rebuilt.saved], ['missing', 6, true]);
    assert.notEqual(rebuilt.cacheFile, before.cacheFile);
  });

  it('replaces a damaged file (digest mismatch) and one V8 rejects', () => {
    const path = loadInChild(file, cache, 1).cacheFile!;
    const damaged = readFileSync(path);
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(path, damaged);
    assert.deepEqual(loadInChild(file, cache, 5), { status: 'corrupt', doubled: 10, cacheFile: path, saved: true });
    assert.equal(loadInChild(file, cache, 5).status, 'accepted');

    const garbage = Buffer.from('not a V8 code cache at all, but with a matching digest');
    writeFileSync(path, Buffer.concat([createHash('sha256').update(garbage).digest(), garbage]));
    assert.deepEqual(loadInChild(file, cache, 6), { status: 'rejected', doubled: 12, cacheFile: path, saved: true });
    assert.equal(loadInChild(file, cache, 6).status, 'accepted');
  });

  it(`keeps the ${KEPT_PER_BUNDLE} newest files of a bundle name and removes old temporary files`, () => {
    const written: string[] = [];
    for (let factor = 2; factor < 2 + KEPT_PER_BUNDLE + 2; factor++) {
      writeFileSync(file, bundleSource(factor));
      const loaded = loadBundle(file, cache);
      loaded.saveCodeCache();
      written.push(loaded.cacheFile!.split('/').pop()!);
      // Distinct modification times, oldest first, whatever the file system's resolution.
      const when = new Date(Date.now() - (100 - factor) * 1000);
      utimesSync(loaded.cacheFile!, when, when);
    }
    const leftover = join(cache, `${written[0]}.1234.abcdef.tmp`);
    writeFileSync(leftover, 'half');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(leftover, old, old);
    writeFileSync(file, bundleSource(99));
    const last = loadBundle(file, cache);
    last.saveCodeCache();
    assert.deepEqual(cacheFiles(), [...written.slice(-(KEPT_PER_BUNDLE - 1)), last.cacheFile!.split('/').pop()!].sort());
    assert.ok(!readdirSync(cache).some((name) => name.endsWith('.tmp')), 'the temporary file a killed run left is removed');
  });

  it('runs without a cache when caching is off, the folder is writable by others, or it cannot be written', () => {
    const off = loadBundle(file, undefined);
    assert.equal(off.status, 'off');
    assert.equal(off.saveCodeCache(), false);

    // A folder others can write to could hold bytecode they chose: it is neither read nor written.
    const shared = join(work, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const unsafe = loadBundle(file, shared);
    assert.deepEqual([unsafe.status, (unsafe.exports as TestBundle).double(3), unsafe.saveCodeCache(), readdirSync(shared)], ['unsafe', 6, false, []]);

    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    const unwritable = loadBundle(file, join(blocker, 'v8'));
    assert.equal((unwritable.exports as TestBundle).double(1), 2);
    assert.equal(unwritable.saveCodeCache(), false);
  });

  it('finds its folder like the compiled-policy cache: CREDCHECK_CACHE_DIR, XDG_CACHE_HOME, ~/.cache', () => {
    assert.equal(codeCacheDirectory({ CREDCHECK_CACHE_DIR: 'off' }), undefined);
    assert.equal(codeCacheDirectory({ CREDCHECK_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }), '/c/v8');
    assert.equal(codeCacheDirectory({ XDG_CACHE_HOME: '/x' }), '/x/credcheck/v8');
    assert.match(codeCacheDirectory({})!, /\/\.cache\/credcheck\/v8$/);
  });
});
