// The shareable state: `?expr=<url-encoded expression>&at=x=2,y=3` (a `#expr=…&at=…` hash is read too).

export interface UrlState {
  readonly expr: string;
  readonly at: Readonly<Record<string, number>>;
}

/** Reads `at=x=2,y=3`; pairs that do not read as a finite number are skipped. */
export function parseAt(text: string): Record<string, number> {
  const at: Record<string, number> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const value = Number(part.slice(eq + 1));
    if (part.slice(eq + 1).trim() !== '' && Number.isFinite(value)) at[part.slice(0, eq).trim()] = value;
  }
  return at;
}

/** The state in a query string (or hash), or null when it holds none. */
export function readState(search: string, hash: string): UrlState | null {
  for (const source of [search, hash]) {
    const params = new URLSearchParams(source.replace(/^[?#]/, ''));
    const expr = params.get('expr');
    if (expr !== null) return { expr, at: parseAt(params.get('at') ?? '') };
  }
  return null;
}

/** `?expr=…&at=x=2,y=3` for the state (numbers in their shortest round-tripping form; `=` and `,` left readable in `at`). */
export function writeState(state: UrlState): string {
  const at = Object.entries(state.at).map(([name, value]) => `${encodeURIComponent(name)}=${String(value)}`).join(',');
  return `?expr=${encodeURIComponent(state.expr)}&at=${at}`;
}
