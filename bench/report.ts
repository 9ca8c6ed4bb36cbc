/** One figure of a bench; `floor` is the target in words, `pass` whether it was met. */
export interface BenchRow {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  floor?: string;
  pass?: boolean;
}

export function report(row: BenchRow): void {
  process.stdout.write(JSON.stringify(row) + '\n');
}

export function percentile(sortedAscending: number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const index = Math.min(sortedAscending.length - 1, Math.ceil((p / 100) * sortedAscending.length) - 1);
  return sortedAscending[Math.max(0, index)] ?? Number.NaN;
}
