#!/usr/bin/env node
// Runs the TypeScript sources directly: Node 24 strips the types, so no build step stands
// between `npm install` and `npx groundswell`.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`groundswell: Node ${process.versions.node} is too old; Groundswell needs Node 24 (see .nvmrc).`);
  process.exit(1);
}
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
