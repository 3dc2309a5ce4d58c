/**
 * Finding the tracking server at init. A server named by the user (baseUrl, CAIRN_BASE_URL)
 * is used even while it does not answer: the run logs locally and uploads when it returns.
 * With none named, Cairn looks for one at the default local URL and otherwise runs offline.
 */
import { apiPaths, type Viewer } from '@cairn/protocol';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

export interface Connection {
  baseUrl: string;
  apiKey: string | undefined;
  /** The server's answer, or undefined when it did not answer (yet). */
  viewer: Viewer | undefined;
  /** Why it did not answer. */
  error: string | undefined;
}

export async function probeServer(baseUrl: string, apiKey: string | undefined, timeoutMs: number): Promise<Connection> {
  const url = baseUrl.replace(/\/+$/, '');
  try {
    const response = await fetch(url + apiPaths.viewer(), {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => undefined)) as (Viewer & { error?: { message?: string } }) | undefined;
    if (response.status === 200 && typeof body?.entity === 'string') return { baseUrl: url, apiKey, viewer: body, error: undefined };
    return { baseUrl: url, apiKey, viewer: undefined, error: body?.error?.message ?? `it answered ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { baseUrl: url, apiKey, viewer: undefined, error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}
