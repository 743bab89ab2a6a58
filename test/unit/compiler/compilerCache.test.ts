import * as assert from 'node:assert/strict';
import { CompilerCache } from '../../../src/core/compiler/compilerCache';
import { CompileRequest, CompileResult, RegoCompiler } from '../../../src/core/compiler/regoCompiler';

/** Counts calls and answers from a table: the cache is what is under test, not compilation. */
class CountingCompiler implements RegoCompiler {
  calls: CompileRequest[] = [];
  disposed = false;
  constructor(private readonly answer: (request: CompileRequest) => CompileResult | Error) {}
  async compile(request: CompileRequest): Promise<CompileResult> {
    this.calls.push(request);
    const answer = this.answer(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  dispose(): void {
    this.disposed = true;
  }
}

const ok = (tag: number): CompileResult => ({ ok: true, wasm: new Uint8Array([tag]), entrypoints: ['p'], annotations: [], rules: [] });
const request = (source: string, file = 'p.rego', entrypoints?: string[]): CompileRequest => ({ modules: [{ file, source }], entrypoints });

describe('compiler cache', () => {
  it('compiles identical content once and keys on files, sources and entrypoints', async () => {
    let tag = 0;
    const inner = new CountingCompiler(() => ok(++tag));
    const cache = new CompilerCache(inner);
    const first = await cache.compile(request('package p'));
    const again = await cache.compile(request('package p'));
    assert.equal(first, again);
    assert.equal(inner.calls.length, 1);
    await cache.compile(request('package p ')); // source differs
    await cache.compile(request('package p', 'q.rego')); // file differs
    await cache.compile(request('package p', 'p.rego', ['p/deny'])); // entrypoints differ
    assert.equal(inner.calls.length, 4);
    assert.notEqual(CompilerCache.key({ modules: [{ file: 'ab', source: 'c' }] }), CompilerCache.key({ modules: [{ file: 'a', source: 'bc' }] }));
    assert.match(CompilerCache.key(request('package p')), /^[0-9a-f]{64}$/);
  });

  it('shares one compilation between concurrent requests', async () => {
    const inner = new CountingCompiler(() => ok(1));
    const cache = new CompilerCache(inner);
    const [a, b] = await Promise.all([cache.compile(request('package p')), cache.compile(request('package p'))]);
    assert.equal(a, b);
    assert.equal(inner.calls.length, 1);
  });

  it('keeps compile errors but forgets timeouts and rejections', async () => {
    const inner = new CountingCompiler((r) => {
      const source = r.modules[0].source;
      if (source === 'throws') return new Error('aborted');
      const code = source === 'slow' ? 'timeout' : 'rego_parse_error';
      return { ok: false, errors: [{ file: 'p.rego', line: 1, column: 1, message: 'x', code }] };
    });
    const cache = new CompilerCache(inner);
    await cache.compile(request('broken'));
    await cache.compile(request('broken'));
    assert.equal(inner.calls.length, 1);
    await cache.compile(request('slow'));
    await cache.compile(request('slow'));
    assert.equal(inner.calls.length, 3);
    await assert.rejects(cache.compile(request('throws')));
    await assert.rejects(cache.compile(request('throws')));
    assert.equal(inner.calls.length, 5);
  });

  it('evicts the least recently used entry and disposes the compiler it wraps', async () => {
    const inner = new CountingCompiler(() => ok(1));
    const cache = new CompilerCache(inner, 2);
    await cache.compile(request('a'));
    await cache.compile(request('b'));
    await cache.compile(request('a')); // a is now the most recent
    await cache.compile(request('c')); // evicts b
    assert.equal(cache.size, 2);
    await cache.compile(request('a'));
    assert.equal(inner.calls.length, 3);
    await cache.compile(request('b'));
    assert.equal(inner.calls.length, 4);
    cache.dispose();
    assert.ok(inner.disposed);
  });
});
