// Flat numeric storage for the engine. Every buffer is a Float32Array (training) or a
// Float64Array (gradient checks); the dtype is chosen once, when a network is compiled,
// and the same kernels run on both.

export type DType = 'float32' | 'float64';

export type Floats = Float32Array | Float64Array;

export function allocate(dtype: DType, length: number): Floats {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/**
 * True when the first `n` values are all finite. One pass: a sum of finite values stays
 * finite (a float32 buffer cannot overflow a double sum; a float64 one only past 1e308).
 * Four independent sums, so the adds do not wait on each other.
 */
export function allFinite(values: Floats, n: number): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += values[i];
    s1 += values[i + 1];
    s2 += values[i + 2];
    s3 += values[i + 3];
  }
  for (let i = n4; i < n; i++) s0 += values[i];
  const sum = s0 + s1 + s2 + s3;
  return sum - sum === 0;
}
