// Every check docs/language.md lists under the checks reported while typing:
// its stable code, its severity and the exact range of the offending token.

import { strict as assert } from 'node:assert';
import { check } from '../../src/lang';
import { applyEdits, net, only, rangeOf, diagnosticsOf, SPIRAL, DEEP_SIGMOID } from './helpers';

describe('checker: the examples of docs/language.md are clean', () => {
  for (const [name, text] of [['spiral', SPIRAL], ['deep-sigmoid', DEEP_SIGMOID]]) {
    it(`${name}.net has no diagnostics and a spec`, () => {
      const r = check(text);
      assert.deepEqual(r.diagnostics, []);
      assert.ok(r.spec);
    });
  }
});

describe('checker: unknown words, with "did you mean" and a fix', () => {
  const cases: [string, string, string, string][] = [
    // [code, text, offending token, suggestion]
    ['unknown-statement', net('dense 3', 'modle spiral\ndata spiral\ninput 2'), 'modle', 'model'],
    ['unknown-layer', net('h1: dens 64 relu\ndense 3'), 'dens', 'dense'],
    ['unknown-activation', net('dense 64 rleu\ndense 3'), 'rleu', 'relu'],
    ['unknown-option', net('dense 64 relu inti=he\ndense 3'), 'inti', 'init'],
    ['unknown-init', net('dense 64 relu init=hee\ndense 3'), 'hee', 'he'],
    ['unknown-generator', 'data spirl\ninput 2\ndense 3\n', 'spirl', 'spiral'],
    ['unknown-loss', net('dense 3', undefined, 'loss cross_entropi'), 'cross_entropi', 'cross_entropy'],
    ['unknown-optimizer', net('dense 3', undefined, 'optimizer adma lr=0.1'), 'adma', 'adam'],
  ];
  for (const [code, text, token, suggestion] of cases) {
    it(`${code}: \`${token}\` → did you mean \`${suggestion}\`?`, () => {
      const d = only(text, code);
      assert.equal(d.severity, 'error');
      assert.equal(d.source, 'gradlens');
      assert.deepEqual(d.range, rangeOf(text, token));
      assert.match(d.message, new RegExp(`Did you mean \`${suggestion}\``));
      const fixed = applyEdits(text, d.fixes![0].edits);
      assert.equal(fixed, text.replace(token, suggestion));
      assert.deepEqual(check(fixed).diagnostics.filter((x) => x.code === code), []);
    });
  }

  it('an unknown word far from every keyword gets the list instead of a guess, and no fix', () => {
    const text = net('dense 3', undefined, 'zzzzzz 4');
    const d = only(text, 'unknown-layer');
    assert.deepEqual(d.range, rangeOf(text, 'zzzzzz'));
    assert.equal(d.fixes, undefined);
    assert.match(d.message, /Layers: dense, relu/);
  });

  it('an option written on the wrong statement says where it belongs', () => {
    const text = net('dense 3', undefined, 'train lr=0.1');
    const d = only(text, 'unknown-option');
    assert.deepEqual(d.range, rangeOf(text, 'lr'));
    assert.match(d.message, /`lr` is an option of `optimizer sgd`/);
  });
  it('alpha on a dense layer without leaky_relu or elu is an ignored-option warning', () => {
    const text = net('dense 8 relu alpha=0.2\ndense 3');
    const d = only(text, 'ignored-option');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'alpha'));
  });
  it('an unknown statement without arguments is a statement, not a layer', () => {
    const text = net('dense 3', undefined, 'trian epochs=3');
    assert.deepEqual(only(text, 'unknown-statement').range, rangeOf(text, 'trian'));
  });
});

describe('checker: values of the wrong type or out of range', () => {
  it('lr=-1 is out of range on `-1`', () => {
    const text = net('dense 3', undefined, 'optimizer adam lr=-1');
    const d = only(text, 'out-of-range');
    assert.deepEqual(d.range, rangeOf(text, '-1'));
    assert.match(d.message, /lr.*> 0/);
  });
  it('dropout 1.5 is out of range on `1.5`', () => {
    const text = net('dense 8 relu\ndropout 1.5\ndense 3');
    assert.deepEqual(only(text, 'out-of-range').range, rangeOf(text, '1.5'));
  });
  it('dense 0 is out of range on `0`', () => {
    const text = net('dense 0\ndense 3');
    assert.deepEqual(only(text, 'out-of-range').range, rangeOf(text, '0'));
  });
  it('a word where a number belongs is wrong-type', () => {
    const text = net('dense 3', undefined, 'optimizer adam lr=fast');
    assert.deepEqual(only(text, 'wrong-type').range, rangeOf(text, 'fast'));
  });
  it('a fraction where a whole number belongs is wrong-type', () => {
    const text = net('dense 2.5\ndense 3');
    assert.deepEqual(only(text, 'wrong-type').range, rangeOf(text, '2.5'));
  });
  it('a number where true/false belongs is wrong-type', () => {
    const text = net('dense 3 bias=1');
    const option = rangeOf(text, 'bias=1');
    assert.deepEqual(only(text, 'wrong-type').range, { start: { line: option.start.line, character: option.start.character + 5 }, end: option.end });
  });
  it('normal(0) has the wrong arguments', () => {
    const text = net('dense 3 init=normal(0)');
    assert.deepEqual(only(text, 'init-arguments').range, rangeOf(text, 'normal(0)'));
  });
  it('a negative std in normal(mean, std) is out of range on the std', () => {
    const text = net('dense 3 init=normal(0, -2)');
    assert.deepEqual(only(text, 'out-of-range').range, rangeOf(text, '-2'));
  });
  it('repeat 0 is out of range', () => {
    const text = net('repeat 0 {\n  dense 8\n}\ndense 3');
    assert.deepEqual(only(text, 'out-of-range').range, rangeOf(text, '0'));
  });
  it('nesterov=true without momentum is refused, as torch.optim.SGD does', () => {
    const text = net('dense 3', undefined, 'optimizer sgd nesterov=true');
    assert.deepEqual(only(text, 'nesterov-needs-momentum').range, rangeOf(text, 'nesterov'));
    assert.deepEqual(check(net('dense 3', undefined, 'optimizer sgd momentum=0.9 nesterov=true')).diagnostics, []);
  });
  it('an option given twice is duplicate-option on the second key', () => {
    const text = net('dense 3', undefined, 'train epochs=3 epochs=4');
    assert.deepEqual(only(text, 'duplicate-option').range, rangeOf(text, 'epochs', 1));
  });
});

describe('checker: missing pieces', () => {
  it('missing input: an error on the data statement, fixed by adding `input N` from the data', () => {
    const text = 'data spiral\ndense 3\n';
    const d = only(text, 'missing-input');
    assert.deepEqual(d.range, rangeOf(text, 'data'));
    const fixed = applyEdits(text, d.fixes![0].edits);
    assert.equal(fixed, 'data spiral\ninput 2\ndense 3\n');
    assert.deepEqual(check(fixed).diagnostics, []);
  });
  it('missing data: an error on the input statement, fixed by adding a generator', () => {
    const text = 'input 2\ndense 1 sigmoid\n';
    const d = only(text, 'missing-data');
    assert.deepEqual(d.range, rangeOf(text, 'input'));
    const fixed = applyEdits(text, d.fixes![0].edits);
    assert.equal(fixed, 'data xor\ninput 2\ndense 1 sigmoid\n');
    assert.deepEqual(check(fixed).diagnostics, []);
  });
  it('no layers at all', () => {
    const text = 'data xor\ninput 2\n';
    assert.deepEqual(only(text, 'no-layers').range, rangeOf(text, 'input'));
  });
  it('dense without units is missing-argument on `dense`', () => {
    const text = net('dense\ndense 3');
    assert.deepEqual(only(text, 'missing-argument').range, rangeOf(text, 'dense'));
  });
  it('repeat without a block is missing-block', () => {
    const text = net('repeat 3\ndense 3');
    assert.deepEqual(only(text, 'missing-block').range, rangeOf(text, 'repeat'));
  });
  it('a CSV data without target= is missing-target on the path', () => {
    const text = 'data "iris.csv"\ninput 4\ndense 3\n';
    const d = only(text, 'missing-target', { documentPath: '/w/a.net', readFile: () => 'a,b,c,d,species\n1,2,3,4,x\n' });
    assert.deepEqual(d.range, rangeOf(text, '"iris.csv"'));
  });
});

describe('checker: widths', () => {
  it('input width against the data: on the input number, fix sets the data\'s width', () => {
    const text = net('dense 3', 'data spiral\ninput 3');
    const d = only(text, 'input-width-mismatch');
    assert.deepEqual(d.range, rangeOf(text, '3'));
    assert.match(d.message, /2 features per example, but `input` says 3/);
    assert.deepEqual(check(applyEdits(text, d.fixes![0].edits)).diagnostics, []);
  });
  it('cross_entropy over 3 classes with 4 output units: on the units of the last dense', () => {
    const text = net('dense 16 relu\ndense 4', undefined, 'loss cross_entropy');
    const d = only(text, 'output-width-mismatch');
    assert.deepEqual(d.range, rangeOf(text, '4'));
    assert.deepEqual(check(applyEdits(text, d.fixes![0].edits)).diagnostics, []);
  });
  it('the default loss of class data is cross_entropy, so the width check applies without a loss line', () => {
    const text = net('dense 2');
    assert.deepEqual(only(text, 'output-width-mismatch').range, rangeOf(text, '2', 1));
  });
  it('bce needs one output', () => {
    const text = 'data xor\ninput 2\ndense 2 sigmoid\n';
    assert.deepEqual(only(text, 'output-width-mismatch').range, rangeOf(text, '2', 1));
  });
  it('bce needs a sigmoid at the end: error on the last layer, fix adds it', () => {
    const text = 'data xor\ninput 2\ndense 8 relu\ndense 1\n';
    const d = only(text, 'bce-needs-sigmoid');
    assert.deepEqual(d.range, rangeOf(text, 'dense', 1));
    const fixed = applyEdits(text, d.fixes![0].edits);
    assert.equal(fixed, 'data xor\ninput 2\ndense 8 relu\ndense 1 sigmoid\n');
    assert.deepEqual(check(fixed).diagnostics, []);
  });
  it('a regression loss needs one output per target', () => {
    const text = 'data sine\ninput 1\ndense 8 tanh\ndense 3\n';
    assert.deepEqual(only(text, 'output-width-mismatch').range, rangeOf(text, '3'));
  });
  it('cross_entropy on regression data is loss-task-mismatch on the loss kind', () => {
    const text = 'data sine\ninput 1\ndense 1\nloss cross_entropy\n';
    assert.deepEqual(only(text, 'loss-task-mismatch').range, rangeOf(text, 'cross_entropy'));
  });
  it('bce on three classes is loss-task-mismatch, fixed by cross_entropy', () => {
    const text = net('dense 3', undefined, 'loss bce');
    const d = only(text, 'loss-task-mismatch');
    assert.deepEqual(d.range, rangeOf(text, 'bce'));
    assert.deepEqual(check(applyEdits(text, d.fixes![0].edits)).diagnostics, []);
  });
  it('a regression loss on class data is a loss-task-mismatch warning, not an error', () => {
    const text = net('dense 1', undefined, 'loss mse');
    const d = only(text, 'loss-task-mismatch');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'mse'));
  });
  it('a residual block that changes the width: on the units that change it, fix keeps the width', () => {
    const text = net('dense 64 relu\nresidual {\n  dense 32 relu\n}\ndense 3');
    const d = only(text, 'residual-width-change');
    assert.deepEqual(d.range, rangeOf(text, '32'));
    assert.match(d.message, /gets 64 features but its body returns 32/);
    assert.deepEqual(check(applyEdits(text, d.fixes![0].edits)).diagnostics, []);
  });
  it('a residual block that keeps the width is fine', () => {
    assert.deepEqual(check(net('dense 16 relu\nresidual {\n  dense 8 relu\n  dense 16\n}\ndense 3')).diagnostics, []);
  });
});

describe('checker: duplicates', () => {
  it('a duplicate label: on the second label, related to the first', () => {
    const text = net('h1: dense 8 relu\nh1: dense 8 relu\ndense 3');
    const d = only(text, 'duplicate-label');
    assert.deepEqual(d.range, rangeOf(text, 'h1', 1));
    assert.deepEqual(d.related![0].range, rangeOf(text, 'h1', 0));
  });
  it('a label that takes a default name is duplicate-label on that label, wherever it is', () => {
    const before = net('dense2: dense 8 relu\ndense 3');
    assert.deepEqual(only(before, 'duplicate-label').range, rangeOf(before, 'dense2'));
    const after = net('dense 8 relu\ndense1: dense 3');
    assert.deepEqual(only(after, 'duplicate-label').range, rangeOf(after, 'dense1'));
  });
  it('a label that takes a suffixed name from a repeat is duplicate-label', () => {
    const text = net('repeat 2 {\n  h: dense 8 relu\n}\nh_2: dense 3');
    assert.deepEqual(only(text, 'duplicate-label').range, rangeOf(text, 'h_2'));
  });
  it('a duplicate singleton statement: on the second keyword, fix removes it', () => {
    const text = net('dense 3', 'data spiral\ninput 2\ninput 2');
    const d = only(text, 'duplicate-statement');
    assert.deepEqual(d.range, rangeOf(text, 'input', 1));
    assert.deepEqual(check(applyEdits(text, d.fixes![0].edits)).diagnostics, []);
  });
});

describe('checker: softmax before cross_entropy', () => {
  it('is a warning on the softmax line, and the fix removes the line', () => {
    const text = net('dense 16 relu\ndense 3\nsoftmax', undefined, 'loss cross_entropy');
    const d = only(text, 'softmax-before-cross-entropy');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'softmax'));
    const fixed = applyEdits(text, d.fixes![0].edits);
    assert.equal(fixed, net('dense 16 relu\ndense 3', undefined, 'loss cross_entropy'));
    assert.deepEqual(check(fixed).diagnostics, []);
  });
  it('a warning alone still gives a spec', () => {
    assert.ok(check(net('dense 3\nsoftmax')).spec);
  });
  it('a fused `dense 3 softmax`: on the word, the fix removes it', () => {
    const text = net('dense 3 softmax');
    const d = only(text, 'softmax-before-cross-entropy');
    assert.deepEqual(d.range, rangeOf(text, 'softmax'));
    assert.equal(applyEdits(text, d.fixes![0].edits), net('dense 3'));
  });
});

describe('checker: CSV data', () => {
  const files: Record<string, string> = { '/w/data/iris.csv': 'sepal,petal,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n2,2,versicolor\n1,1,setosa\n' };
  const readFile = (p: string) => {
    if (p in files) return files[p];
    if (p.endsWith('locked.csv')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  const options = { documentPath: '/w/models/iris.net', workspaceFolders: ['/w'], readFile };
  const text = (path: string, target = 'species') => `data "${path}" target=${target}\ninput 2\ndense 3\n`;

  it('a good CSV gives features, classes in sorted order and the train split', () => {
    const r = check(text('../data/iris.csv'), options);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.spec!.dataShape, { task: 'classes', features: 2, classes: 3, trainSize: 4, classLabels: ['setosa', 'versicolor', 'virginica'] });
    assert.equal((r.spec!.data as { resolvedPath: string }).resolvedPath, '/w/data/iris.csv');
  });
  it('a missing file is csv-not-found on the path string', () => {
    const t = text('../data/nope.csv');
    assert.deepEqual(only(t, 'csv-not-found', options).range, rangeOf(t, '"../data/nope.csv"'));
  });
  it('an unreadable file is csv-unreadable on the path string', () => {
    const t = text('locked.csv');
    assert.deepEqual(only(t, 'csv-unreadable', options).range, rangeOf(t, '"locked.csv"'));
  });
  it('a file outside every workspace folder is csv-outside-workspace', () => {
    const t = text('../../etc/data.csv');
    assert.deepEqual(only(t, 'csv-outside-workspace', options).range, rangeOf(t, '"../../etc/data.csv"'));
  });
  it('a target that is no column is csv-no-target on the target value, with did-you-mean', () => {
    const t = text('../data/iris.csv', 'specis');
    const d = only(t, 'csv-no-target', options);
    assert.deepEqual(d.range, rangeOf(t, 'specis'));
    assert.match(d.message, /Did you mean `species`/);
  });
  it('a file with a header and no rows is csv-empty', () => {
    files['/w/data/empty.csv'] = 'a,b,y\n';
    const t = text('../data/empty.csv', 'y');
    assert.deepEqual(only(t, 'csv-empty', options).range, rangeOf(t, '"../data/empty.csv"'));
  });
  it('a row with another field count is csv-bad-row, naming the row', () => {
    files['/w/data/ragged.csv'] = 'a,b,y\n1,2,x\n1,2\n';
    const t = text('../data/ragged.csv', 'y');
    const d = only(t, 'csv-bad-row', options);
    assert.deepEqual(d.range, rangeOf(t, '"../data/ragged.csv"'));
    assert.match(d.message, /Row 2 .* has 2 fields; the header has 3/);
  });
  it('a feature that is not a number is csv-bad-value', () => {
    files['/w/data/text.csv'] = 'a,b,y\n1,2,x\n1,two,y\n';
    const t = text('../data/text.csv', 'y');
    assert.match(only(t, 'csv-bad-value', options).message, /Row 2 \(line 3\), column `b`.*"two"/);
  });
  it('a numeric target is regression unless task=classes', () => {
    files['/w/data/num.csv'] = 'x,y\n1,0\n2,1\n3,1\n4,0\n5,2\n';
    const reg = check('data "../data/num.csv" target=y\ninput 1\ndense 1\n', options);
    assert.equal(reg.spec!.dataShape.task, 'regression');
    const cls = check('data "../data/num.csv" target=y task=classes\ninput 1\ndense 3\n', options);
    assert.deepEqual(cls.spec!.dataShape.classLabels, ['0', '1', '2']);
  });
});

describe('checker: the size limit', () => {
  it('a network over maxParameters is too-many-parameters on the units of the largest layer', () => {
    const text = net('dense 2000 relu\ndense 3000 relu\ndense 3');
    const d = only(text, 'too-many-parameters', { maxParameters: 1_000_000 });
    assert.deepEqual(d.range, rangeOf(text, '3000'));
    // 2·2000 + 2000 + 2000·3000 + 3000 + 3000·3 + 3
    assert.match(d.message, /6,018,003 parameters, over the limit of 1,000,000/);
  });
  it('repeat 1000000 is refused on its count, quickly, without unrolling', () => {
    const text = net('repeat 1000000 {\n  dense 64 relu\n}\ndense 3');
    const start = Date.now();
    const d = only(text, 'too-many-layers');
    assert.ok(Date.now() - start < 200);
    assert.deepEqual(d.range, rangeOf(text, '1000000'));
  });
  it('counts convolution and recurrent parameters from the shapes: C·K·K·OUT + OUT, G·H·(F + H) + 2·G·H', () => {
    const image = 'data blobs classes=3 features=64\ninput 1 8 8';
    const { spec } = check(net('conv2d 4 kernel=3 padding=1 relu\nmaxpool2d 2\nconv2d 6 kernel=3\nflatten\ndense 3', image));
    // 1·9·4 + 4, then 4·9·6 + 6 on [4, 4, 4] → [6, 2, 2], then 24·3 + 3
    assert.equal(spec!.paramCount, 40 + 222 + 75);
    const { spec: seq } = check(net('lstm 5 sequences=true\ngru 3\ndense 1', 'data adding T=10\ninput 10 2'));
    // lstm: 4·5·(2 + 5) + 2·4·5; gru: 3·3·(5 + 3) + 2·3·3; dense 3 + 1
    assert.equal(seq!.paramCount, 180 + 90 + 4);
  });
  it('a repeat whose body changes the shape is measured copy by copy, and refused quickly past the limits', () => {
    const image = 'data blobs classes=3 features=64\ninput 1 8 8';
    const growing = net('repeat 1000000000 {\n  conv2d 2 kernel=1 padding=1\n}\nflatten\ndense 3', image);
    const start = Date.now();
    only(growing, 'too-many-layers');
    assert.ok(Date.now() - start < 500);
    // Each copy grows the image by 2 per side: 2·(1 + 1) + then (2·2 + 2) per copy; output [2, 8 + 2k, 8 + 2k].
    const { spec } = check(net('repeat 3 {\n  conv2d 2 kernel=1 padding=1\n}\nflatten\ndense 3', image));
    assert.deepEqual(spec!.leaves[2].outputShape, [2, 14, 14]);
    assert.equal(spec!.paramCount, 4 + 6 + 6 + (2 * 14 * 14 * 3 + 3));
    // The limit is judged on the same count, measured without unrolling.
    const three = net('repeat 3 {\n  conv2d 2 kernel=1 padding=1\n}\nflatten\ndense 3', image);
    assert.equal(diagnosticsOf(three, 'too-many-parameters', { maxParameters: spec!.paramCount }).length, 0);
    assert.equal(diagnosticsOf(three, 'too-many-parameters', { maxParameters: spec!.paramCount - 1 }).length, 1);
  });
  it('the default limit is 5,000,000 parameters', () => {
    assert.equal(diagnosticsOf(net('dense 2000 relu\ndense 2000 relu\ndense 3'), 'too-many-parameters').length, 0);
    assert.equal(diagnosticsOf(net('dense 3000 relu\ndense 2000 relu\ndense 3'), 'too-many-parameters').length, 1);
  });
});

describe('checker: statements in the wrong place', () => {
  it('a top-level statement inside a block is statement-in-block', () => {
    const text = net('repeat 2 {\n  input 2\n  dense 8\n}\ndense 3');
    assert.deepEqual(only(text, 'statement-in-block').range, rangeOf(text, 'input', 1));
  });
  it('a label on a non-layer statement is unexpected-label', () => {
    const text = net('dense 3', 'd: data spiral\ninput 2');
    assert.deepEqual(only(text, 'unexpected-label').range, rangeOf(text, 'd'));
  });
  it('a block after a layer is unexpected-block on the `{`', () => {
    const text = net('dense 3 { relu }');
    assert.deepEqual(only(text, 'unexpected-block').range, rangeOf(text, '{'));
  });
  it('an empty repeat is an empty-block warning', () => {
    const text = net('repeat 4 {}\ndense 3');
    const d = only(text, 'empty-block');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'repeat'));
  });
  it('loss with nothing after it is missing-argument on `loss`', () => {
    const text = net('dense 3', undefined, 'loss');
    assert.deepEqual(only(text, 'missing-argument').range, rangeOf(text, 'loss'));
  });
  it('an extra positional argument is unexpected-argument', () => {
    const text = net('dense 3', 'data spiral\ninput 2 1 1 9');
    assert.deepEqual(only(text, 'unexpected-argument').range, rangeOf(text, '9'));
  });
});

describe('checker: every diagnostic', () => {
  it('carries source gradlens, and a file with errors gives no spec', () => {
    const r = check('data spirl\ninput x\ndense 0\n@@\n');
    assert.ok(r.diagnostics.length >= 4);
    for (const d of r.diagnostics) assert.equal(d.source, 'gradlens');
    assert.equal(r.spec, undefined);
  });
});
