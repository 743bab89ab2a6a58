/** `node:fs/promises` in the web build: nothing of the machine's disk is reachable from the browser. */
function unsupported(name: string): () => Promise<never> {
  return () => Promise.reject(Object.assign(new Error(`${name} is not available in VS Code for the Web`), { code: 'ENOSYS' }));
}

export const open = unsupported('fs.promises.open');
export const readFile = unsupported('fs.promises.readFile');
export const writeFile = unsupported('fs.promises.writeFile');
export const mkdir = unsupported('fs.promises.mkdir');
export const mkdtemp = unsupported('fs.promises.mkdtemp');
export const rm = unsupported('fs.promises.rm');
