// Loaded with --import into a measured process: prints its peak RSS and the CPU time it used on exit,
// for the startup and cli-sync benches (CPU time holds still on a busy machine, wall time does not).
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nmax-rss-kb ${usage.maxRSS}\ncpu-us ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
