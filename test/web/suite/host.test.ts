// The ground the other web tests stand on: they run in VS Code's web worker extension host, not in Node.
import * as vscode from 'vscode';
import { activateExtension, assert } from '../webHelpers';

describe('web: extension host', () => {
  it('runs in the browser web worker host (uiKind Web, no Node process) and activates the extension', async () => {
    assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Web, 'uiKind');
    assert.strictEqual(typeof (globalThis as { process?: unknown }).process, 'undefined', 'a Node process object exists here');
    assert.strictEqual(typeof (globalThis as { importScripts?: unknown }).importScripts, 'function', 'not a web worker');
    await activateExtension();
  });
});
