/**
 * The `process` the core reads (esbuild `inject`s it where the code names `process`; no global is defined, so the
 * extension host still has no `process`): no environment variables, no working directory in a browser.
 */
export const process = {
  env: {} as Record<string, string | undefined>,
  platform: 'browser',
  cwd: (): string => '/',
};
