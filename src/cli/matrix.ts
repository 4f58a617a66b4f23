// The agreement matrix as `gradlab check` prints it: the table fitted to the terminal, the prose under it wrapped to match.
import type { AgreementRow } from '../harness/agreement.ts';
import { agreementTable, toCliTable, wrapProse } from '../report/tables.ts';
import { proseWidthWhenPiped, type CliIo } from './common.ts';

/**
 * The matrix of `rows` (every pair of methods too with `pairs`) at the terminal's width, dropping the least needed
 * columns first; unbounded when piped, so a file keeps every column.
 */
export function matrixText(rows: readonly AgreementRow[], pairs: boolean, io: CliIo): string {
  return toCliTable(agreementTable(rows, { pairs }), { width: io.columns, droppable: ['median rel. error', 'runs'] });
}

/** Prose under the matrix, wrapped to the terminal (80 columns when piped), as the table fits it. */
export function matrixProse(text: string, io: CliIo): string {
  return wrapProse(text, io.columns ?? proseWidthWhenPiped);
}
