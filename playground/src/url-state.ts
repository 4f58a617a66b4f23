// The shareable state: `?expr=<url-encoded expression>&at=x=2,y=3[&budget=ms]` (a `#expr=…&at=…` hash is read too).

export interface UrlState {
  readonly expr: string;
  readonly at: Readonly<Record<string, number>>;
  /** mathjs's time budget in milliseconds, when the link sets one (10 ms to 60 s). */
  readonly budget?: number;
}

/** Reads a budget in milliseconds; out of range or not a number gives undefined (the default applies). */
function parseBudget(text: string | null): number | undefined {
  const ms = Number(text);
  return text !== null && Number.isFinite(ms) && ms >= 10 && ms <= 60_000 ? ms : undefined;
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
    if (expr !== null) {
      const budget = parseBudget(params.get('budget'));
      return { expr, at: parseAt(params.get('at') ?? ''), ...(budget !== undefined ? { budget } : {}) };
    }
  }
  return null;
}

/** `?expr=…&at=x=2,y=3` for the state (numbers in their shortest round-tripping form; `=` and `,` left readable in `at`). */
export function writeState(state: UrlState): string {
  const at = Object.entries(state.at).map(([name, value]) => `${encodeURIComponent(name)}=${String(value)}`).join(',');
  return `?expr=${encodeURIComponent(state.expr)}&at=${at}${state.budget !== undefined ? `&budget=${state.budget}` : ''}`;
}
