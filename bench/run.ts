/**
 * `npm run bench`: runs every bench/*.bench.ts in its own Node process (so one figure's memory
 * never skews another's) and prints one table. Each bench prints JSON lines of BenchRow to stdout.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const rows: BenchRow[] = [];
let failed = false;
for (const file of files) {
  process.stderr.write(`running ${file} …\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(here, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('{')) rows.push(JSON.parse(line) as BenchRow);
  }
  if (run.status !== 0) {
    failed = true;
    rows.push({ bench: file, metric: 'FAILED', value: run.status ?? -1, unit: 'exit code' });
  }
}

const header = ['bench', 'metric', 'value', 'unit', 'floor', 'verdict'];
const table = rows.map((r) => [
  r.bench,
  r.metric,
  formatValue(r.value),
  r.unit,
  r.floor ?? '',
  r.pass === undefined ? '' : r.pass ? 'ok' : 'BELOW FLOOR',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => String(row[i]).length)));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of table) console.log(line(row.map(String)));
if (failed || rows.some((r) => r.pass === false)) process.exitCode = 1;

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}
