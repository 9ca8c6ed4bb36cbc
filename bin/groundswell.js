#!/usr/bin/env node
// Runs the TypeScript sources directly: Node 24 strips the types, so no build step stands
// between `npm install` and `npx groundswell`.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`groundswell: Node ${process.versions.node} is too old; Groundswell needs Node 24 (see .nvmrc).`);
  process.exit(1);
}
// Type-stripped sources are compiled once and cached (in the OS temp folder), so a command starts in
// a fraction of the time it takes to strip and compile every module afresh.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// `serve` runs the hub for hours: it starts once more with the hub's memory settings (same PID).
if (process.argv.includes('serve')) (await import('../src-main/hub-process/memory-settings.ts')).relaunchWithHubMemorySettings();
const { main } = await import('../src-main/cli/main.ts');
const code = await main(process.argv.slice(2));
// Everything Groundswell opened is closed by now, but matrix-js-sdk leaves one request-timeout timer
// per HTTP request running (up to ~2 minutes for /sync). Exit once output is flushed instead of waiting.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
