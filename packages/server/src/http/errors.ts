/** The one place errors become HTTP responses: `{ error: { code, message } }` with HTTP_STATUS. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTP_STATUS, isCairnError, type ApiErrorBody, type ApiErrorCode } from '@cairn/protocol';
import { OutOfOrderError } from '../store/store.js';

export class HttpError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, error: unknown): Response {
  let body: ApiErrorBody;
  if (error instanceof OutOfOrderError) {
    body = { error: { code: 'out_of_order', message: error.message, nextIndex: error.nextIndex } };
  } else if (error instanceof HttpError) {
    body = { error: { code: error.code, message: error.message } };
  } else if (isCairnError(error)) {
    body = { error: { code: error.code, message: error.message } };
  } else {
    console.error('cairn server: internal error:', error);
    body = { error: { code: 'internal', message: 'internal server error; the server log has the details' } };
  }
  return c.json(body, HTTP_STATUS[body.error.code] as ContentfulStatusCode);
}
