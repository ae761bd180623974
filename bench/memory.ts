// Memory readings for the benchmark children (run with --expose-gc). Peak RSS comes from
// the kernel (getrusage maxrss); heap + external is sampled after each timed run, before
// any forced collection, which bounds what the run itself kept live.

import { GCProfiler } from 'node:v8';

export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the benchmark with node --expose-gc (npm run bench does)');
  gc();
  gc();
}

export interface MemoryBaseline {
  heapAndExternal: number;
  rss: number;
}

export function baseline(): MemoryBaseline {
  collect();
  const usage = process.memoryUsage();
  return { heapAndExternal: usage.heapUsed + usage.external, rss: usage.rss };
}

export class PeakTracker {
  private peakHeapAndExternal = 0;

  constructor(private readonly base: MemoryBaseline) {}

  sample(): void {
    const usage = process.memoryUsage();
    this.peakHeapAndExternal = Math.max(this.peakHeapAndExternal, usage.heapUsed + usage.external);
  }

  result(): { heapAndExternalDelta: number; rssDelta: number } {
    const maxRss = process.resourceUsage().maxRSS * 1024;
    return {
      heapAndExternalDelta: this.peakHeapAndExternal - this.base.heapAndExternal,
      rssDelta: maxRss - this.base.rss,
    };
  }
}

/**
 * Bytes allocated on the JavaScript heap while `work` runs: what every collection during
 * it freed plus the growth that survived. Zero per step means the step allocates nothing.
 */
export function allocatedDuring(work: () => void): { allocated: number; retained: number; collections: number } {
  collect();
  const before = process.memoryUsage().heapUsed;
  const profiler = new GCProfiler();
  profiler.start();
  work();
  const after = process.memoryUsage().heapUsed;
  const profile = profiler.stop();
  let freed = 0;
  for (const entry of profile?.statistics ?? []) {
    freed += entry.beforeGC.heapStatistics.usedHeapSize - entry.afterGC.heapStatistics.usedHeapSize;
  }
  collect();
  const retained = process.memoryUsage().heapUsed - before;
  return { allocated: after - before + freed, retained, collections: profile?.statistics.length ?? 0 };
}
