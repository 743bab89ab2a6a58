/** A check's shipped documentation, and the extension's log. */
import * as vscode from 'vscode';
import type { TreeNode } from '../findingsTree';
import { describeError } from '../logging';
import type { Command, Services } from './services';

export function openCheckDocumentation({ documentation, log }: Pick<Services, 'documentation' | 'log'>): Command {
  return async (check?: string | TreeNode): Promise<vscode.Uri | undefined> => {
    const id = typeof check === 'string' ? check : check?.kind === 'finding' ? check.item.finding.check : check?.kind === 'group' && check.group.kind === 'check' ? check.group.name : undefined;
    if (!id) return undefined;
    const uri = documentation.uriFor(id);
    if (!uri) {
      void vscode.window.showInformationMessage(`${id} is not a bundled check: its documentation is the METADATA of its policy.`);
      return undefined;
    }
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch (error) {
      log.warn(`markdown preview unavailable (${describeError(error)}); opening the source`);
      await vscode.window.showTextDocument(uri, { preview: true });
    }
    return uri;
  };
}

export function showLog({ log }: Pick<Services, 'log'>): Command {
  return () => log.channel.show();
}
