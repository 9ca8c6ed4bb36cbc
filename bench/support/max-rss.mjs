// Loaded with --import into a measured process: prints its peak RSS on exit, for the startup bench.
process.on('exit', () => process.stderr.write(`\nmax-rss-kb ${process.resourceUsage().maxRSS}\n`));
