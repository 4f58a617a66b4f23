// Grad mode: whether ops are recorded (torch.no_grad / enable_grad / set_grad_enabled), scoped even when code throws.

/** @internal The current mode, read by every op when it decides whether to record. */
export const gradMode = { enabled: true };

/** True while ops are recorded (`torch.is_grad_enabled()`). */
export function isGradEnabled(): boolean {
  return gradMode.enabled;
}

/** Runs `fn` with recording switched to `enabled`, restoring the previous mode afterwards, also when `fn` throws. */
function withMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradMode.enabled;
  gradMode.enabled = enabled;
  try {
    return fn();
  } finally {
    gradMode.enabled = previous;
  }
}

/**
 * Runs `fn` without recording (`with torch.no_grad():`): its results have `requiresGrad` false and no `gradFn`.
 * The previous mode comes back when `fn` returns or throws. The scope is synchronous: continuations of an
 * `async fn` after an `await` run in whatever mode is current then.
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs `fn` with recording on (`with torch.enable_grad():`), for example inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/**
 * `torch.set_grad_enabled`: with only `enabled`, switches recording on or off until switched back; with `fn`,
 * applies the mode only while `fn` runs (the context-manager form) and returns its result.
 */
export function setGradEnabled(enabled: boolean): void;
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T;
export function setGradEnabled<T>(enabled: boolean, fn?: () => T): T | void {
  if (fn === undefined) {
    gradMode.enabled = enabled;
    return;
  }
  return withMode(enabled, fn);
}
