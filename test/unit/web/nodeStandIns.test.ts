// The web build's stand-ins for Node's built-in modules (src/web/node/), checked against Node's own in plain Node:
// the core runs on top of them unchanged in the browser, so they must answer as Node does for what the core asks.
import * as assert from 'assert';
import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import fc from 'fast-check';
import { fileExists, folderEntries, listFile, loadFile, preloadFile, setFileLoader, VIRTUAL_ROOT } from '../../../src/web/files';
import { Buffer as WebBuffer } from '../../../src/web/node/buffer';
import { createHash as webCreateHash, randomBytes as webRandomBytes } from '../../../src/web/node/crypto';
import { existsSync, readdirSync, readFileSync } from '../../../src/web/node/fs';
import * as webPath from '../../../src/web/node/path';

describe('web build: stand-ins for Node built-ins', () => {
  it('SHA-256 matches node:crypto for text and bytes of any length, fed in pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 300 })), { maxLength: 5 }), (pieces) => {
        const node = createHash('sha256');
        const web = webCreateHash('sha256');
        for (const piece of pieces) {
          node.update(piece);
          web.update(piece);
        }
        assert.strictEqual(web.digest('hex'), node.digest('hex'));
      }),
    );
    assert.strictEqual(webCreateHash('sha256').update('abc').digest('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.match(webRandomBytes(16).toString('base64'), /^[A-Za-z0-9+/]{22}==$/);
  });

  it('POSIX paths answer as node:path.posix does', () => {
    // Single slashes only: Node keeps a leading '//' (POSIX leaves it implementation-defined), which no path here has.
    const segment = fc.constantFrom('a', 'b', '..', '.', 'dist', 'x.rego', '.hidden');
    const path = fc.array(segment, { maxLength: 6 }).chain((parts) => fc.boolean().map((absolute) => (absolute ? '/' : '') + parts.join('/')));
    fc.assert(
      fc.property(path, path, (a, b) => {
        for (const name of ['normalize', 'dirname', 'basename', 'extname', 'isAbsolute'] as const) {
          assert.strictEqual((webPath[name] as (p: string) => unknown)(a), (nodePath.posix[name] as (p: string) => unknown)(a), `${name}(${JSON.stringify(a)})`);
        }
        assert.strictEqual(webPath.join(a, b), nodePath.posix.join(a, b), `join(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
        // No working directory in a browser: relative paths resolve from the root, as node's do from cwd '/'.
        assert.strictEqual(webPath.resolve(a, b), nodePath.posix.resolve('/', a, b), `resolve(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
        assert.strictEqual(webPath.relative(`/${a}`, `/${b}`), nodePath.posix.relative(`/${a}`, `/${b}`), `relative(/${a}, /${b})`);
      }),
    );
  });

  it('Buffer: byte lengths, UTF-8, Latin-1, Base64 and hex as Node reads and writes them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 200 }), (text, bytes) => {
        assert.strictEqual(WebBuffer.byteLength(text), Buffer.byteLength(text));
        assert.deepStrictEqual([...WebBuffer.from(text, 'utf8')], [...Buffer.from(text, 'utf8')]);
        const web = WebBuffer.from(bytes);
        for (const encoding of ['latin1', 'base64', 'hex', 'utf8'] as const) assert.strictEqual(web.toString(encoding), Buffer.from(bytes).toString(encoding), encoding);
        assert.deepStrictEqual([...WebBuffer.from(Buffer.from(bytes).toString('base64'), 'base64')], [...bytes]);
        assert.strictEqual(web.subarray(1, 3).toString('hex'), Buffer.from(bytes).subarray(1, 3).toString('hex'));
      }),
    );
  });

  it('reads the extension files it was given, lists the large ones, and fails like a missing file otherwise', async () => {
    const served = new Map([['dist/policies/catalog.json', '{"entrypoints":[]}'], ['dist/compiler/compiler.wasm', 'WASM']]);
    const reads: string[] = [];
    setFileLoader(async (relative) => {
      reads.push(relative);
      const text = served.get(relative);
      if (text === undefined) throw new Error(`no ${relative}`);
      return new TextEncoder().encode(text);
    });
    await preloadFile('dist/policies/catalog.json');
    listFile('dist/compiler/compiler.wasm');
    assert.strictEqual(readFileSync(`${VIRTUAL_ROOT}/dist/policies/catalog.json`, 'utf8'), '{"entrypoints":[]}');
    assert.ok(existsSync(`${VIRTUAL_ROOT}/dist/compiler/compiler.wasm`) && existsSync(`${VIRTUAL_ROOT}/dist`));
    assert.deepStrictEqual(readdirSync(`${VIRTUAL_ROOT}/dist`), ['compiler', 'policies']);
    assert.deepStrictEqual(folderEntries(`${VIRTUAL_ROOT}/dist/compiler`), ['compiler.wasm']);
    // Listed, not read until a worker needs it.
    assert.deepStrictEqual(reads, ['dist/policies/catalog.json']);
    assert.strictEqual(new TextDecoder().decode(await loadFile(`${VIRTUAL_ROOT}/dist/compiler/compiler.wasm`)), 'WASM');
    assert.strictEqual(fileExists('/etc/passwd'), false);
    assert.throws(() => readFileSync('/workspace/report.csv'), (error: NodeJS.ErrnoException) => error.code === 'ENOENT' && /VS Code for the Web/.test(error.message));
  });
});
