// Flat numeric storage for the engine. Every buffer is a Float32Array (training) or a
// Float64Array (gradient checks); the dtype is chosen once, when a network is compiled,
// and the same kernels run on both.

export type DType = 'float32' | 'float64';

export type Floats = Float32Array | Float64Array;

export function allocate(dtype: DType, length: number): Floats {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** True when the first `n` values are all finite. One pass: a sum of finite values stays finite. */
export function allFinite(values: Floats, n: number): boolean {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return sum - sum === 0;
}
