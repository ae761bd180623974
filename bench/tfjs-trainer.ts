// The TF.js side of the comparison: the workload's MLP as plain variables and ops (no
// tf.layers bookkeeping), trained with the TF.js optimizer of the same kind and learning
// rate. The union package is required as CommonJS: that is what registers gradients
// (the ES module entry leaves them out). The wasm backend loads its SIMD binary from the installed npm package.

import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Dataset } from '../src/engine/data/dataset';
import { firstBatch } from './synthetic-data';
import { widths, type Workload } from './workloads';

export type TfBackend = 'cpu' | 'wasm';

export interface TfTrainer {
  /** Train `steps` steps; `withNorms` also reads every variable's gradient and weight norm each step. */
  run(steps: number, withNorms: boolean): void;
  /** Loss on the fixed batch, for a sanity check that training happens. */
  loss(): number;
  dispose(): void;
}

export async function useBackend(backend: TfBackend): Promise<{ simd: boolean; threads: boolean }> {
  if (backend === 'wasm') {
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    setWasmPaths(join(dist, '/'));
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`TF.js backend ${backend} failed to initialise`);
  await tf.ready();
  return {
    simd: backend === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: backend === 'wasm' && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}

export function tfVersion(): string {
  return tf.version.tfjs;
}

export function createTfTrainer(workload: Workload, data: Dataset): TfTrainer {
  const w = widths(workload);
  const batch = firstBatch(data, workload.batch);
  const x = tf.tensor2d(batch.x, [workload.batch, workload.input]);
  const classes = w[w.length - 1];
  const y =
    workload.loss === 'cross_entropy'
      ? tf.tidy(() => tf.oneHot(tf.tensor1d(batch.y, 'int32'), classes).toFloat())
      : tf.tensor2d(batch.y, [workload.batch, 1]);

  const variables: tf.Variable[] = [];
  const layers = workload.layers.map((layer, i) => {
    const fanIn = w[i];
    const fanOut = w[i + 1];
    // He normal before ReLU, Glorot uniform otherwise: the `.net` defaults.
    const init =
      layer.activation === 'relu'
        ? tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / fanIn), 'float32', 1 + i)
        : tf.randomUniform([fanIn, fanOut], -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)), 'float32', 1 + i);
    const W = tf.variable(init, true, `W${i}`);
    init.dispose();
    const b = tf.variable(tf.zeros([fanOut]), true, `b${i}`);
    variables.push(W, b);
    return { W, b, activation: layer.activation };
  });

  const optimizer =
    workload.optimizer.kind === 'adam' ? tf.train.adam(workload.optimizer.lr) : tf.train.sgd(workload.optimizer.lr);

  const lossOf = (): tf.Scalar => {
    let h: tf.Tensor2D = x;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const z = tf.add(tf.matMul(h, layer.W), layer.b) as tf.Tensor2D;
      const last = i === layers.length - 1;
      // BCE is computed on the logits (sigmoid fused into the loss, as TF.js does it best).
      if (last && workload.loss === 'bce') {
        h = z;
        break;
      }
      h = layer.activation === 'relu' ? tf.relu(z) : layer.activation === 'tanh' ? tf.tanh(z) : layer.activation === 'sigmoid' ? tf.sigmoid(z) : z;
    }
    if (workload.loss === 'cross_entropy') return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    if (workload.loss === 'bce') return tf.losses.sigmoidCrossEntropy(y, h) as tf.Scalar;
    return tf.losses.meanSquaredError(y, h) as tf.Scalar;
  };

  const plainStep = (): void => {
    tf.tidy(() => {
      optimizer.minimize(lossOf, false, variables);
    });
  };

  // What a telemetry-reading TF.js user would do: every variable's gradient norm and
  // weight norm, read back to JavaScript once per step.
  const stepWithNorms = (): void => {
    tf.tidy(() => {
      const { grads } = optimizer.computeGradients(lossOf, variables);
      const norms = variables.flatMap((v) => [tf.norm(grads[v.name]), tf.norm(v)]);
      tf.stack(norms).dataSync();
      optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    });
  };

  return {
    run(steps, withNorms) {
      const step = withNorms ? stepWithNorms : plainStep;
      for (let s = 0; s < steps; s++) step();
    },
    loss() {
      return tf.tidy(() => lossOf().dataSync()[0]);
    },
    dispose() {
      optimizer.dispose();
      for (const v of variables) v.dispose();
      x.dispose();
      y.dispose();
    },
  };
}
