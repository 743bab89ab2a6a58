// Runs first (file order): activation must stay cheap, so nothing heavy may load before a report or a policy needs it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension } from './extensionHelpers';

describe('activation', () => {
  it('activates without loading the Rego compiler and registers every contributed command', async () => {
    const api = await activateExtension();
    assert.strictEqual(api.compilerLoaded(), false, 'the embedded compiler was loaded at activation');
    const extension = vscode.extensions.getExtension('credcheck.credcheck')!;
    const contributed = (extension.packageJSON.contributes.commands as { command: string; category: string }[]);
    const registered = await vscode.commands.getCommands(true);
    for (const { command, category } of contributed) {
      assert.ok(registered.includes(command), `${command} is contributed but not registered`);
      assert.strictEqual(category, 'IAM', `${command} has category ${category}`);
    }
    for (const title of ['Run IAM credential checks', 'Open sample credential report', 'Fetch credential report from AWS', 'New custom policy', 'Show policy input', 'Export findings...', 'Show compliance summary']) {
      assert.ok(contributed.some((command) => (command as unknown as { title: string }).title === title), `no command titled ${title}`);
    }
  });
});
