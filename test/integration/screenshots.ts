// Screenshots of the workbench, taken by the launcher on a test's request. The extension host cannot
// photograph the browser window it is shown in; runInCodeServer.mjs can, with Playwright. The two share
// a folder (CREDCHECK_SCREENSHOT_REQUESTS, set on the code-server process): the test writes
// <id>.request.json, the launcher saves test-results/screenshots/<name>.png and answers with <id>.done.json.
import * as fs from 'fs';
import * as path from 'path';
import { waitFor } from './waitFor';

let requestCount = 0;

/**
 * Asks the launcher for a screenshot of the whole workbench and waits until it is on disk.
 * Returns the PNG's path, or undefined when the launcher takes no screenshots (the Electron launcher),
 * so suites can call it unconditionally. The launcher waits for the workbench to paint (two animation frames after
 * the request) before it takes the picture; the caller waits for the state it wants shown (a selection, a result).
 * No deadline here: the test's own timeout is the only limit (see waitFor.ts).
 */
export async function requestScreenshot(name: string): Promise<string | undefined> {
  const folder = process.env.CREDCHECK_SCREENSHOT_REQUESTS;
  if (!folder) {
    return undefined;
  }
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new Error(`screenshot name "${name}" must use only letters, digits, dot, dash and underscore`);
  }
  const id = `${process.pid}-${Date.now()}-${++requestCount}`;
  const request = path.join(folder, `${id}.request.json`);
  const answer = path.join(folder, `${id}.done.json`);
  // Written under a temporary name and renamed, so the launcher never reads half a request.
  fs.writeFileSync(`${request}.tmp`, JSON.stringify({ name }));
  fs.renameSync(`${request}.tmp`, request);
  const reply = await waitFor(`the launcher's answer to the screenshot request "${name}"`, () =>
    fs.existsSync(answer) ? (JSON.parse(fs.readFileSync(answer, 'utf8')) as { path?: string; error?: string }) : undefined,
  );
  if (reply.error || !reply.path) {
    throw new Error(`screenshot "${name}" failed: ${reply.error ?? 'no path in the answer'}`);
  }
  return reply.path;
}
