// The engine's public surface: train a checked network on a dataset, or report its exact
// weights and gradients; plus the compiled network and session for tests and benchmarks.

export { train, DEFAULT_HISTOGRAM_EVERY, type TrainOptions } from './train';
export { HISTORY_FRAMES, HISTORY_HISTOGRAM_STEPS } from './telemetry';
export { Decimator } from './decimate';
export { gradientsAt, GradientsError, type GradientReport } from './gradients';
export { gradcheck, type GradCheckReport, type GradCheckOptions, type TensorCheck, type KinkCrossing } from './gradcheck';
export type { GradBand } from './gradcheck-bands';
export { Network, type CompileOptions } from './compile';
export { Session, type SessionOptions } from './session';
export type { DType, Floats } from './floats';
