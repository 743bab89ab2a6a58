/**
 * How long the policy watcher waits after the last keystroke in a workspace `.rego` file before it compiles and the open
 * reports are evaluated again. No `vscode` import, so `npm run bench` (bench/liveFeedbackRun.mjs) reads the very value
 * the extension uses when it measures keystroke-to-findings.
 */
export const POLICY_TYPING_PAUSE_MS = 400;
