/**
 * Rows printed as aligned columns, two spaces apart, trailing spaces trimmed: how `keyway keys list`,
 * `keyway subscriptions list` and `keyway usage` print their tables.
 */
import type { CliContext } from './context.js';

export function printColumns(ctx: CliContext, rows: readonly (readonly string[])[]): void {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    ctx.output.out(
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}
