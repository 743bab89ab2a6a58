import { escapeTerminalText } from './terminalText';

/**
 * Report and policy text as inert Markdown (a table cell or a list item): it renders as the same characters and never
 * as markup. HTML is entity-escaped (`<script>` cannot run, `<img>` cannot load); the punctuation that starts inline
 * markup (emphasis, code, links and images, strikethrough, math, table pipes) is backslash-escaped, and so are a
 * leading block marker (`#`, `-`, `+`, `=`, `1.`) and the characters that make GFM autolinks of a bare `http://`,
 * `www.` or e-mail address; control and bidi characters are shown as visible escapes (escapeTerminalText); a line
 * break is `<br>`, so the text stays in its cell.
 */
export function escapeMarkdownText(text: string): string {
  return escapeTerminalText(text, { keepLineBreaks: true })
    .replace(/[\\`*[\]~|$]/g, '\\$&')
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/^[#+\-=]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/@/g, '\\@')
    .replace(/\n/g, '<br>');
}
