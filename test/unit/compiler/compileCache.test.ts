import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CachedCompiler, compileCacheDir } from '../../../src/core/compiler/compileCache';
import { CompileRequest, CompileResult, RegoCompiler } from '../../../src/core/compiler/regoCompiler';

/** A compiler that counts what it is asked and answers with wasm derived from the source. */
class CountingCompiler implements RegoCompiler {
  calls = 0;
  async compile(request: CompileRequest): Promise<CompileResult> {
    this.calls++;
    const source = request.modules[0]!.source;
    if (source.includes('timeout')) return { ok: false, errors: [{ file: request.modules[0]!.file, line: 0, column: 0, message: 'compilation stopped after 30 s', code: 'compile_timeout' }] };
    if (source.includes('broken')) return { ok: false, errors: [{ file: request.modules[0]!.file, line: 3, column: 7, message: 'unexpected token', code: 'rego_parse_error' }] };
    return {
      ok: true,
      wasm: new Uint8Array(Buffer.from(`wasm of ${source}`)),
      entrypoints: ['p/deny'],
      annotations: [],
      rules: [{ package: 'p', name: 'deny', file: request.modules[0]!.file, line: 3 }],
      projection: { fields: ['user'] },
    };
  }
  dispose(): void {}
}

const IDENTITY = { build: 'build-1', schema: '{"type":"object"}' };
const request = (source: string): CompileRequest => ({ modules: [{ file: 'p.rego', source }] });

describe('compiled policies cached on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'credcheck-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function cached(inner: CountingCompiler, identity = IDENTITY, maxBytes?: number): { compiler: CachedCompiler; created: () => number } {
    let created = 0;
    const compiler = new CachedCompiler(
      () => {
        created++;
        return inner;
      },
      dir,
      identity,
      maxBytes,
    );
    return { compiler, created: () => created };
  }

  it('a second run (a new process) gets the same result without creating the compiler', async () => {
    const first = new CountingCompiler();
    const a = cached(first);
    const compiled = await a.compiler.compile(request('package p\n\ndeny contains "x"\n'));
    assert.equal(first.calls, 1);
    const second = new CountingCompiler();
    const b = cached(second);
    const again = await b.compiler.compile(request('package p\n\ndeny contains "x"\n'));
    assert.equal(b.created(), 0, 'the compiler was never started');
    assert.deepEqual(again, compiled);
    assert.deepEqual(b.compiler.stats, { hits: 1, misses: 0 });
  });

  it('a changed source, compiler build or schema is a miss', async () => {
    const inner = new CountingCompiler();
    await cached(inner).compiler.compile(request('package p\n'));
    await cached(inner).compiler.compile(request('package p\n\n'));
    await cached(inner, { ...IDENTITY, build: 'build-2' }).compiler.compile(request('package p\n'));
    await cached(inner, { ...IDENTITY, schema: '{}' }).compiler.compile(request('package p\n'));
    assert.equal(inner.calls, 4);
    await cached(inner).compiler.compile(request('package p\n'));
    assert.equal(inner.calls, 4);
  });

  it('compile errors are cached with their locations', async () => {
    const inner = new CountingCompiler();
    const first = await cached(inner).compiler.compile(request('package p\n\nbroken'));
    const again = await cached(inner).compiler.compile(request('package p\n\nbroken'));
    assert.equal(inner.calls, 1);
    assert.deepEqual(again, first);
    assert.equal(again.ok, false);
  });

  it('a compile that was stopped (a time limit, a crash) is not cached', async () => {
    const inner = new CountingCompiler();
    await cached(inner).compiler.compile(request('package p\n# timeout\n'));
    await cached(inner).compiler.compile(request('package p\n# timeout\n'));
    assert.equal(inner.calls, 2);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a corrupt or truncated entry is a miss and is replaced', async () => {
    const inner = new CountingCompiler();
    const source = 'package p\n\ndeny contains "y"\n';
    const good = await cached(inner).compiler.compile(request(source));
    const [name] = readdirSync(dir);
    const path = join(dir, name!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0xff; // a flipped wasm byte: its hash no longer matches
    writeFileSync(path, bytes);
    assert.deepEqual(await cached(inner).compiler.compile(request(source)), good);
    assert.equal(inner.calls, 2);
    writeFileSync(path, bytes.subarray(0, 10)); // truncated header
    assert.deepEqual(await cached(inner).compiler.compile(request(source)), good);
    assert.equal(inner.calls, 3);
    assert.deepEqual(await cached(inner).compiler.compile(request(source)), good);
    assert.equal(inner.calls, 3, 'the replaced entry is good again');
  });

  it('stays under its size bound by removing the least recently used entries', async () => {
    const inner = new CountingCompiler();
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 12; i++) await cached(inner, IDENTITY, 100_000).compiler.compile(request(`package p${i}\n# ${big}\n`));
    const sizes = readdirSync(dir).map((name) => readFileSync(join(dir, name)).byteLength);
    assert.ok(sizes.reduce((a, b) => a + b, 0) <= 100_000, `${sizes.length} entries, ${sizes.reduce((a, b) => a + b, 0)} bytes`);
    assert.ok(sizes.length >= 2);
    assert.equal(readdirSync(dir).filter((name) => name.endsWith('.tmp')).length, 0);
  });

  it('lives in the user cache directory, CREDCHECK_CACHE_DIR chooses it, and off turns it off', () => {
    assert.equal(compileCacheDir({ CREDCHECK_CACHE_DIR: 'off' }), undefined);
    assert.equal(compileCacheDir({ CREDCHECK_CACHE_DIR: '/tmp/c' }), '/tmp/c/compiled');
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: '/home/u/.cache' }), '/home/u/.cache/credcheck/compiled');
  });
});
