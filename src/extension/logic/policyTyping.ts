/**
 * How long the policy watcher waits after the last keystroke in a workspace `.rego` file before it compiles and the open
 * reports are evaluated again. No `vscode` import, so `npm run bench` (bench/liveFeedbackRun.mjs) reads the very value
 * the extension uses when it measures keystroke-to-findings.
 *
 * Short, because a keystroke that lands while a compile or an evaluation runs no longer costs anything but that work:
 * the stale job finishes and is dropped, and the compiler and evaluation workers stay warm (a killed compiler cost a
 * ~3 s cold start, a killed evaluator re-sending and re-parsing the report). 150 ms still groups the keystrokes of a
 * word typed at a normal pace; the compile and the audit of a 5,000-user report take ~170 ms on an idle machine.
 */
export const POLICY_TYPING_PAUSE_MS = 150;
