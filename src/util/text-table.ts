// Aligned plain-text columns for the CLI's tables (`budgets`, `models`): two spaces between
// columns, the last column never padded, so lines carry no trailing spaces.

export function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
