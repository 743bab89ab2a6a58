/**
 * The read-only language providers for `.rego`: completion, hover, outline, go to definition. Each is a thin adapter
 * from VS Code positions to the pure functions in src/core/authoring (tested there in plain Node).
 */
import * as vscode from 'vscode';
import type { BuiltinDoc } from '../../core/compiler/regoTooling';
import { AuthoringCompletion, completeAt } from '../../core/authoring/completion';
import { findDefinitions, IndexedModule } from '../../core/authoring/definitions';
import { hoverAt } from '../../core/authoring/hover';
import { RegoRuleSymbol, TextRange } from '../../core/authoring/regoScanner';
import type { LanguageDeps, LanguageLog } from './languageFeatures';
import { RegoWorkspace } from './regoWorkspace';

export function toRange(range: TextRange): vscode.Range {
  return new vscode.Range(range.startLine, range.startColumn, range.endLine, range.endColumn);
}

/** The compiler's builtin docs, loaded once; until they are there, completion says its list is incomplete. */
export class BuiltinCatalog {
  private docs: BuiltinDoc[] | undefined;
  private loading: Promise<BuiltinDoc[]> | undefined;

  constructor(private readonly deps: LanguageDeps, private readonly log: LanguageLog) {}

  get loaded(): BuiltinDoc[] | undefined {
    return this.docs;
  }

  load(): Promise<BuiltinDoc[]> {
    this.loading ??= (async () => {
      try {
        this.docs = await (await this.deps.tooling()).builtins();
        return this.docs;
      } catch (error) {
        // Not cached: the next request tries again (the compiler may load later, e.g. after trust is granted).
        this.loading = undefined;
        this.log.error('Rego authoring: could not read the builtin documentation from the embedded compiler', error);
        return [];
      }
    })();
    return this.loading;
  }
}

const COMPLETION_KINDS: Record<AuthoringCompletion['kind'], vscode.CompletionItemKind> = {
  field: vscode.CompletionItemKind.Field,
  builtin: vscode.CompletionItemKind.Function,
  rule: vscode.CompletionItemKind.Variable,
  function: vscode.CompletionItemKind.Method,
  keyword: vscode.CompletionItemKind.Keyword,
  package: vscode.CompletionItemKind.Module,
};

export class RegoCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly workspace: RegoWorkspace, private readonly builtins: BuiltinCatalog, private readonly deps: LanguageDeps) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionList {
    const builtins = this.builtins.loaded;
    if (!builtins) void this.builtins.load();
    const answer = completeAt({
      source: document.getText(),
      line: position.line,
      column: position.character,
      builtins: builtins ?? [],
      packages: this.workspace.rulesByPackage(),
      example: this.deps.openReportInput?.(),
    });
    const range = new vscode.Range(position.line, answer.replaceFrom, position.line, position.character);
    const items = answer.items.map((entry, index) => {
      const item = new vscode.CompletionItem(entry.label, COMPLETION_KINDS[entry.kind]);
      item.detail = entry.detail;
      if (entry.documentation) item.documentation = new vscode.MarkdownString(entry.documentation);
      item.range = range;
      // Schema order (AWS's column order) for fields; builtins after the policy's own names.
      item.sortText = `${entry.kind === 'builtin' ? '1' : '0'}${String(index).padStart(4, '0')}`;
      return item;
    });
    return new vscode.CompletionList(items, builtins === undefined);
  }
}

export class RegoHoverProvider implements vscode.HoverProvider {
  constructor(private readonly builtins: BuiltinCatalog, private readonly deps: LanguageDeps) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const builtins = this.builtins.loaded ?? (await this.builtins.load());
    const answer = hoverAt({ source: document.getText(), line: position.line, column: position.character, builtins, example: this.deps.openReportInput?.() });
    return answer ? new vscode.Hover(new vscode.MarkdownString(answer.markdown), toRange(answer.range)) : undefined;
  }
}

const SYMBOL_KINDS: Record<RegoRuleSymbol['kind'], vscode.SymbolKind> = {
  rule: vscode.SymbolKind.Variable,
  function: vscode.SymbolKind.Function,
  test: vscode.SymbolKind.Method,
};

export class RegoSymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly workspace: RegoWorkspace) {}

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    const outline = this.workspace.ensure(document).outline;
    const rules = outline.rules.map((rule) => {
      const detail = rule.kind === 'test' ? 'test' : rule.isDefault ? 'default' : rule.head.slice(rule.name.length).trim();
      return new vscode.DocumentSymbol(rule.name, detail, SYMBOL_KINDS[rule.kind], toRange(rule.range), toRange(rule.nameRange));
    });
    if (!outline.package) return rules;
    // The package holds everything: breadcrumbs read `package > rule`.
    const last = document.lineAt(document.lineCount - 1);
    const symbol = new vscode.DocumentSymbol(outline.package.name, 'package', vscode.SymbolKind.Package, new vscode.Range(toRange(outline.package.range).start, last.range.end), toRange(outline.package.range));
    symbol.children = rules;
    return [symbol];
  }
}

export class RegoDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly workspace: RegoWorkspace) {}

  async provideDefinition(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Location[]> {
    await this.workspace.ready();
    const current = this.workspace.ensure(document);
    const modules: IndexedModule[] = this.workspace.all().map((entry) => ({ id: entry.uri.toString(), outline: entry.outline }));
    if (!modules.some((module) => module.id === current.uri.toString())) modules.push({ id: current.uri.toString(), outline: current.outline });
    const byId = new Map([...this.workspace.all(), current].map((entry) => [entry.uri.toString(), entry.uri]));
    return findDefinitions(current.source, { id: current.uri.toString(), outline: current.outline }, position.line, position.character, modules).map(
      (location) => new vscode.Location(byId.get(location.id)!, toRange(location.range)),
    );
  }
}
