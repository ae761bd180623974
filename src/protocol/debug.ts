// The training debugger's additions to the Debug Adapter Protocol (dist/debug.js): its
// launch arguments, and the custom events and request the VS Code extension uses to
// keep the inspector and the status bar in step with the debugger. Any DAP client can
// ignore the events. docs/editors.md documents the launch arguments.

import { z } from 'zod';
import { FindingInfo, MAX_STEPS, RunEndedParams, TelemetryFrame } from './lsp';
import { RunStart } from './webview';

export const DEBUG_TYPE = 'gradlens';

export const LaunchArguments = z.object({
  /** The .net file to train. */
  program: z.string().min(1),
  /** Overrides the file's steps/epochs; at most MAX_STEPS, the bound every way of training shares. */
  steps: z.number().int().positive().max(MAX_STEPS).optional(),
  stopOnEntry: z.boolean().optional(),
  /** Steps kept for stepping back (N). */
  window: z.number().int().positive().optional(),
  /** Gradient-health thresholds (the editor's settings); the file's `watch` overrides them. */
  thresholds: z.record(z.number()).optional(),
});
export type LaunchArguments = z.infer<typeof LaunchArguments>;

/** Adapter → client, once after launch: the run, as the inspector's runStarted. */
export const DebugRunEvent = 'gradlens.run';
export const DebugRunBody = RunStart;
export type DebugRunBody = z.infer<typeof DebugRunBody>;

/** Adapter → client: telemetry of newly trained steps (each step once, in order). */
export const DebugFramesEvent = 'gradlens.frames';
export const DebugFramesBody = z.object({ runId: z.string(), frames: z.array(TelemetryFrame), findings: z.array(FindingInfo) });
export type DebugFramesBody = z.infer<typeof DebugFramesBody>;

/** Adapter → client, whenever the debugger stops or resumes: where it is and what the window holds. */
export const DebugPositionEvent = 'gradlens.position';
export const DebugPositionBody = z.object({
  runId: z.string(),
  /** The step shown while stopped; undefined while running. */
  step: z.number().int().nonnegative().optional(),
  window: z.object({
    /** Oldest and newest recorded steps (absent before the first step). */
    from: z.number().int().positive().optional(),
    to: z.number().int().positive().optional(),
    /** N, and the bytes the recorded steps take now. */
    capacity: z.number().int().positive(),
    bytes: z.number().int().nonnegative(),
  }),
});
export type DebugPositionBody = z.infer<typeof DebugPositionBody>;

/** Adapter → client: the run ended (trained to the end, diverged, or the session stopped). */
export const DebugEndedEvent = 'gradlens.ended';
export const DebugEndedBody = RunEndedParams;

/** Client → adapter, while stopped: move to a recorded step (the inspector's scrubber). */
export const GotoStepRequest = 'gradlens.gotoStep';
export const GotoStepArguments = z.object({ step: z.number().int().positive() });
export type GotoStepArguments = z.infer<typeof GotoStepArguments>;

/** The window's size as the adapter and the status bar print it: `610 KB`, `6.1 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
