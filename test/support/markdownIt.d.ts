/** The part of markdown-it (a dependency of @vscode/vsce, already installed) the Markdown tests render with; it has no types here. */
declare module 'markdown-it' {
  class MarkdownIt {
    constructor(options?: { html?: boolean; linkify?: boolean });
    render(source: string): string;
  }
  export default MarkdownIt;
}
