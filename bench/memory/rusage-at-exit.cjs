// Preloaded into a benchmarked process (NODE_OPTIONS=--require …): when it exits, writes
// its resource usage (peak RSS, CPU time) as JSON to $GRADLENS_RUSAGE_OUT. The kernel's peak
// RSS covers every thread (the server's run workers too) and every moment of the run, which
// sampling from outside would miss.
const { writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const out = process.env.GRADLENS_RUSAGE_OUT;
if (out && isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
  });
}
