import * as assert from 'assert';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { outsideWorkspaceReason, resolveInsideFolder } from '../../../../src/extension/logic/workspacePath';

describe('workspace-relative paths', () => {
  let root: string;
  let workspace: string;
  let home: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'credcheck-path-')));
    workspace = join(root, 'repo');
    home = join(root, 'home');
    mkdirSync(workspace);
    mkdirSync(home);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('refuses absolute paths and climbs out, whatever the separators', () => {
    for (const path of ['/etc/passwd', 'C:\\Users\\me\\.bashrc', 'c:x', '\\\\server\\share\\f', '../.bashrc', 'a/../../b', '..\\..\\x', '.', 'a/..']) {
      assert.ok(outsideWorkspaceReason(path), path);
      assert.strictEqual(resolveInsideFolder(workspace, path).inside, false, path);
    }
    for (const path of ['.credcheck/suppressions.yaml', 'a/../b.yaml', './x.yaml', 'dir\\x.yaml', '..hidden/x']) assert.strictEqual(outsideWorkspaceReason(path), undefined, path);
  });

  it('resolves a path inside the folder, existing or not yet', () => {
    assert.deepStrictEqual(resolveInsideFolder(workspace, '.credcheck/suppressions.yaml'), { inside: true, path: join(workspace, '.credcheck', 'suppressions.yaml') });
    mkdirSync(join(workspace, 'real'));
    symlinkSync(join(workspace, 'real'), join(workspace, 'alias'));
    assert.strictEqual(resolveInsideFolder(workspace, 'alias/s.yaml').inside, true);
  });

  it('refuses a symbolic link that leaves the folder: a linked folder, a linked file, a dangling link', () => {
    symlinkSync(home, join(workspace, '.credcheck'));
    const throughFolder = resolveInsideFolder(workspace, '.credcheck/suppressions.yaml');
    assert.deepStrictEqual(throughFolder, { inside: false, reason: `it leads to ${join(home, 'suppressions.yaml')} through a symbolic link, outside the workspace folder` });
    writeFileSync(join(home, '.bashrc'), '');
    symlinkSync(join(home, '.bashrc'), join(workspace, 'suppressions.yaml'));
    assert.strictEqual(resolveInsideFolder(workspace, 'suppressions.yaml').inside, false);
    symlinkSync(join(home, 'not-yet'), join(workspace, 'dangling.yaml'));
    assert.deepStrictEqual(resolveInsideFolder(workspace, 'dangling.yaml'), { inside: false, reason: 'dangling.yaml is a symbolic link that points nowhere' });
  });

  it('follows a workspace folder that is itself reached through a link', () => {
    symlinkSync(workspace, join(root, 'linked-repo'));
    assert.strictEqual(resolveInsideFolder(join(root, 'linked-repo'), '.credcheck/s.yaml').inside, true);
  });
});
