// Extension activation time outside VS Code: dist/extension.js is required with a minimal fake `vscode` module (a
// Module._load hook) and activate() is called with a fake context. Measures what our code costs (bundle load, service
// construction, registrations); VS Code's own extension-host overhead is not included.
// Usage: node bench/activationRun.cjs   -> one JSON line on stdout
'use strict';
const Module = require('node:module');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** Anything the extension may touch and we do not model: callable, constructible, disposable, empty when iterated. */
function anything(name) {
  const cache = new Map();
  const target = function fake() {};
  return new Proxy(target, {
    get(_target, property) {
      if (property === 'then') return undefined;
      if (property === Symbol.iterator) return function* empty() {};
      if (property === Symbol.toPrimitive) return () => '';
      if (property === 'dispose') return () => undefined;
      if (property === 'toString') return () => name;
      if (property === 'length') return 0;
      if (!cache.has(property)) cache.set(property, anything(`${name}.${String(property)}`));
      return cache.get(property);
    },
    set(_target, property, value) {
      cache.set(property, value);
      return true;
    },
    apply: () => anything(`${name}()`),
    construct: () => anything(`new ${name}`),
  });
}

class Disposable {
  constructor(callback) { this.callback = callback; }
  static from(...items) { return new Disposable(() => items.forEach((item) => item?.dispose?.())); }
  dispose() { this.callback?.(); }
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener) => {
      this.listeners.add(listener);
      return new Disposable(() => this.listeners.delete(listener));
    };
  }
  fire(value) { for (const listener of [...this.listeners]) listener(value); }
  dispose() { this.listeners.clear(); }
}

class Uri {
  constructor(path) { this.scheme = 'file'; this.path = path; this.fsPath = path; }
  static file(path) { return new Uri(path); }
  static parse(text) { return new Uri(text.replace(/^file:\/\//, '')); }
  static joinPath(base, ...parts) { return new Uri(join(base.fsPath, ...parts)); }
  with() { return this; }
  toString() { return `file://${this.path}`; }
}

const noEvent = () => new Disposable();
const configuration = { get: (_key, fallback) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
// esbuild's import interop copies the module's own keys: every top-level name the extension uses must be an own key.
const fake = {};
const used = new Set(require('node:fs').readFileSync(join(root, 'dist/extension.js'), 'utf8').match(/\bvscode\d*\.[A-Za-z]+/g)?.map((m) => m.split('.')[1]));
for (const name of used) fake[name] = anything(`vscode.${name}`);
Object.assign(fake, {
  Disposable, EventEmitter, Uri,
  workspace: Object.assign(anything('vscode.workspace'), {
    getConfiguration: () => configuration,
    workspaceFolders: undefined,
    textDocuments: [],
    isTrusted: true,
    onDidChangeConfiguration: noEvent, onDidOpenTextDocument: noEvent, onDidCloseTextDocument: noEvent,
    onDidChangeTextDocument: noEvent, onDidGrantWorkspaceTrust: noEvent, onDidSaveTextDocument: noEvent,
    findFiles: async () => [],
  }),
  window: Object.assign(anything('vscode.window'), { activeTextEditor: undefined, visibleTextEditors: [], onDidChangeActiveTextEditor: noEvent }),
});

const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  if (request === 'vscode') return fake;
  return originalLoad.call(this, request, ...rest);
};

const started = performance.now();
const extension = require(join(root, 'dist/extension.js'));
const requiredMs = performance.now() - started;
const context = {
  subscriptions: [],
  extensionUri: Uri.file(root),
  extensionPath: root,
  globalStorageUri: Uri.file(join(root, '.bench-storage')),
  storageUri: undefined,
  workspaceState: { get: (_key, fallback) => fallback, update: async () => undefined, keys: () => [] },
  globalState: { get: (_key, fallback) => fallback, update: async () => undefined, keys: () => [], setKeysForSync: () => undefined },
  asAbsolutePath: (path) => join(root, path),
  extensionMode: 1,
  logUri: Uri.file(join(root, '.bench-log')),
};
const activateStarted = performance.now();
Promise.resolve(extension.activate(context)).then(
  () => {
    const activateMs = performance.now() - activateStarted;
    console.log(JSON.stringify({ requireMs: requiredMs, activateMs, totalMs: requiredMs + activateMs, subscriptions: context.subscriptions.length }));
    for (const subscription of context.subscriptions) subscription?.dispose?.();
    process.exit(0);
  },
  (error) => {
    console.log(JSON.stringify({ error: String(error && error.stack || error) }));
    process.exit(1);
  },
);
