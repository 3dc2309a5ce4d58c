/**
 * Who may call the API. Loopback-only single-user mode needs no set-up: with no user and a
 * server bound to a loopback address, every request is the local user. Once any user
 * exists, or when the server listens beyond loopback, every request needs
 * `Authorization: Bearer <api key>` (HTTP basic auth with the key as password works too).
 */
import type { MiddlewareHandler } from 'hono';
import { DEFAULT_ENTITY } from '@cairn/protocol';
import type { Store } from '../store/store.js';
import { HttpError } from '../http/errors.js';
import { hasUsers, userForKey } from './keys.js';

export interface AuthOptions {
  store: Store;
  /** The server listens on a non-loopback address: keys are always required. */
  requireKeys: boolean;
}

export type AuthVariables = { user: string };

/** Keys from `Bearer <key>` or basic auth (`api:<key>`, the reference's convention). */
function keyFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) || undefined;
  }
  return undefined;
}

export function authMiddleware(options: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  // Whether users exist changes rarely; asking the database once a second is plenty.
  let usersKnownAt = 0;
  let usersExist = false;
  return async (c, next) => {
    const now = Date.now();
    if (!options.requireKeys && now - usersKnownAt > 1000) {
      usersExist = await hasUsers(options.store.db);
      usersKnownAt = now;
    }
    const key = keyFrom(c.req.header('authorization'));
    if (!options.requireKeys && !usersExist) {
      c.set('user', DEFAULT_ENTITY);
      return next();
    }
    const user = key === undefined ? undefined : await userForKey(options.store.db, key);
    if (user === undefined) {
      throw new HttpError(
        'unauthorized',
        key === undefined
          ? 'this server requires an API key: send Authorization: Bearer <key> (cairn login stores one; cairn keys create makes one)'
          : 'the API key is not valid on this server',
      );
    }
    c.set('user', user);
    return next();
  };
}
