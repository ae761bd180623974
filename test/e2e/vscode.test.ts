// GradLens in a real VS Code (code-server's workbench in Chromium), used the way a person
// uses it: open a file, read the colours and squiggles, hover, apply a quick fix, train
// and click around the inspector. Screenshots go to test-output/e2e/.

import { strict as assert } from 'node:assert';
import { Workbench } from './workbench';

describe('GradLens in VS Code', function () {
  this.timeout(120_000);
  let vscode: Workbench;

  before(async function () {
    this.timeout(300_000);
    vscode = await Workbench.open();
  });

  after(async () => {
    await vscode?.close();
  });

  it('colours deep-sigmoid.net with the net grammar', async () => {
    await vscode.openFile('deep-sigmoid.net');
    const line = await findLine(vscode, /^repeat/);
    const plain = await vscode.tokenColor(line - 1, 'input');
    const colours = {
      comment: await vscode.tokenColor(1, '#'),
      repeat: await vscode.tokenColor(line, 'repeat'),
      dense: await vscode.tokenColor(line + 1, 'dense'),
      sigmoid: await vscode.tokenColor(line + 1, 'sigmoid'),
      number: await vscode.tokenColor(line + 1, '32'),
    };
    // Dark Modern: keyword.other blue, keyword.control purple, support.type teal, support.function yellow, numbers green.
    assert.deepEqual(colours, {
      comment: 'rgb(106, 153, 85)',
      repeat: 'rgb(197, 134, 192)',
      dense: 'rgb(78, 201, 176)',
      sigmoid: 'rgb(220, 220, 170)',
      number: 'rgb(181, 206, 168)',
    });
    assert.equal(plain, 'rgb(86, 156, 214)', '`input` is a statement keyword');
    await vscode.screenshot('grammar');
  });
});

/** 1-based number of the first line of the active editor matching `pattern`. */
async function findLine(vscode: Workbench, pattern: RegExp): Promise<number> {
  for (let line = 1; line <= 40; line++) {
    if (pattern.test(await vscode.lineText(line))) return line;
  }
  throw new Error(`no line matches ${pattern}`);
}
