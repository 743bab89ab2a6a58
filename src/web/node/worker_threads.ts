/**
 * `node:worker_threads` in the web build, on Web Workers: the evaluation and compiler workers keep their protocol,
 * their time limits (the host terminates a worker that overruns) and their warm state. A nested worker can only be
 * started from a Blob URL in VS Code's web worker extension host (one from the extension's own vscode-remote: URL is
 * refused), so the worker's bundle is read from the extension's files (files.ts) and started from a Blob, behind a
 * bootstrap that waits for its first message: the files it reads (the compiler's wasm) and its `workerData`.
 *
 * What a browser does not offer: V8's per-worker heap limits (`resourceLimits` is ignored; the policies' and the
 * compiler's wasm memory stay capped by the engine and the compiler themselves) and `unref`.
 */
import { loadFile, VIRTUAL_ROOT } from '../files';

// The project compiles without the DOM library: the little of the Web Worker API used here, typed locally.
interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string; preventDefault(): void }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): void;
}
interface WorkerScope {
  Worker: new (url: string) => WebWorker;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  __credcheckWorker?: { workerData?: unknown; files?: Record<string, Uint8Array> };
}
const scope = globalThis as unknown as WorkerScope;

type Listener = (...args: never[]) => void;

/** Runs the worker bundle once its parent's first message has set what it reads at load time. */
const BOOTSTRAP = `self.onmessage = (event) => {
  if (!event.data || !event.data.__credcheckInit) return;
  self.onmessage = null;
  self.__credcheckWorker = event.data.__credcheckInit;
  __credcheckWorkerMain();
};
function __credcheckWorkerMain() {
`;

const scriptUrls = new Map<string, Promise<string>>();

function scriptUrl(filename: string): Promise<string> {
  let url = scriptUrls.get(filename);
  if (!url) {
    url = loadFile(filename).then((bytes) => URL.createObjectURL(new Blob([BOOTSTRAP, new TextDecoder().decode(bytes), '\n}\n'], { type: 'text/javascript' })));
    url.catch(() => scriptUrls.delete(filename));
    scriptUrls.set(filename, url);
  }
  return url;
}

/** The extension files named by the worker's data (the compiler's wasm, its Go glue, the input schema). */
async function filesOf(workerData: unknown): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  if (workerData && typeof workerData === 'object') {
    for (const value of Object.values(workerData)) {
      if (typeof value === 'string' && value.startsWith(`${VIRTUAL_ROOT}/`)) files[value] = await loadFile(value);
    }
  }
  return files;
}

export class Worker {
  private readonly listeners = new Map<string, Set<Listener>>();
  private web: WebWorker | undefined;
  private readonly queued: [unknown, ArrayBuffer[] | undefined][] = [];
  private ended = false;

  constructor(filename: string, options: { workerData?: unknown; resourceLimits?: unknown } = {}) {
    void this.start(filename, options.workerData);
  }

  private async start(filename: string, workerData: unknown): Promise<void> {
    try {
      const [url, files] = await Promise.all([scriptUrl(filename), filesOf(workerData)]);
      if (this.ended) return;
      const web = new scope.Worker(url);
      web.onmessage = (event) => this.emit('message', event.data);
      web.onerror = (event) => {
        event.preventDefault();
        this.emit('error', new Error(event.message || `the worker ${filename} failed`));
      };
      // Copies, not transfers: the files stay loaded for the next worker (a compiler replaced after a time limit).
      web.postMessage({ __credcheckInit: { workerData, files } });
      for (const [message, transfer] of this.queued.splice(0)) web.postMessage(message, transfer);
      this.web = web;
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
      void this.terminate();
    }
  }

  postMessage(message: unknown, transfer?: ArrayBuffer[]): void {
    if (this.ended) return;
    if (this.web) this.web.postMessage(message, transfer);
    else this.queued.push([message, transfer]);
  }

  terminate(): Promise<number> {
    if (this.ended) return Promise.resolve(1);
    this.ended = true;
    this.web?.terminate();
    this.web = undefined;
    // As in Node: 'exit' follows terminate(), asynchronously.
    queueMicrotask(() => this.emit('exit', 1));
    return Promise.resolve(1);
  }

  unref(): this {
    return this;
  }

  on(event: string, listener: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (...values: unknown[]) => void)(...args);
  }
}

/** Inside a nested worker: the channel to the host, as `parentPort` is in a worker thread. */
export const parentPort = scope.__credcheckWorker
  ? {
      on(event: 'message', listener: (message: never) => void): void {
        if (event === 'message') scope.addEventListener('message', (message) => (listener as (value: unknown) => void)(message.data));
      },
      postMessage(message: unknown, transfer: ArrayBuffer[] = []): void {
        scope.postMessage(message, transfer);
      },
    }
  : null;

export const workerData: unknown = scope.__credcheckWorker?.workerData;

export type MessagePort = NonNullable<typeof parentPort>;
