/**
 * Every error Cairn raises on purpose carries a stable code. The server maps codes to HTTP
 * statuses in one place; the SDK client rebuilds the same error from a response.
 */
export const ERROR_CODES = [
  'invalid_argument',
  'usage',
  'config_value_locked',
  'run_finished',
  'no_active_run',
  'run_not_found',
  'run_exists',
  'not_available',
  'corrupt_log',
  'out_of_order',
  'payload_too_large',
  'unauthorized',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A coded error. `message` says what happened and what to do about it.
 *
 * @example
 * throw new CairnError('usage', "mode must be 'online', 'offline' or 'disabled', got 'fast'");
 */
export class CairnError extends Error {
  override readonly name = 'CairnError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `err` is a CairnError, optionally of the given code. */
export function isCairnError(err: unknown, code?: ErrorCode): err is CairnError {
  return err instanceof CairnError && (code === undefined || err.code === code);
}
