/**
 * Live events across server processes that share one PostgreSQL database: each process
 * LISTENs on one channel and NOTIFYs it when a run changes, so a dashboard connected to one
 * process hears about a run that streams into another (several servers behind a load
 * balancer, or a CLI sync into the same database).
 *
 * Events are hints, not data: a subscriber that hears one fetches what changed. So the relay
 * favours staying out of the way over delivery guarantees. Sending never waits on the
 * caller's request; while the listening connection is down (PostgreSQL restarting), events
 * to and from other processes are dropped, and the relay reconnects with backoff. Each
 * process tags what it sends with its own id and ignores its own notifications, because it
 * has already delivered them to its local subscribers.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { LiveEvent } from '@cairn/protocol';

/** The NOTIFY channel every Cairn server on a database shares. */
export const LIVE_CHANNEL = 'cairn_live';

/** Longest wait between reconnection attempts. */
const MAX_BACKOFF_MS = 30_000;

export interface LiveRelay {
  /** Tells the other processes; returns at once. */
  send(event: LiveEvent): void;
  close(): Promise<void>;
}

interface Envelope {
  origin: string;
  event: LiveEvent;
}

export interface PostgresRelayOptions {
  /** Called with each event another process sent. */
  deliver(event: LiveEvent): void;
  /** Called once per outage with what went wrong (default: console.warn). */
  warn?(message: string): void;
  /** First wait before reconnecting, doubled per failure up to 30 s. Default 500 ms. */
  backoffMs?: number;
}

/**
 * Starts relaying through the PostgreSQL server at `url`. Resolves once listening, so that
 * nothing sent after it is missed; rejects when the first connection fails.
 */
export async function startPostgresRelay(url: string, options: PostgresRelayOptions): Promise<LiveRelay> {
  const origin = randomUUID();
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const firstBackoff = options.backoffMs ?? 500;
  let client: pg.Client | undefined;
  let closed = false;
  let backoff = firstBackoff;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let warned = false;

  const onNotification = (message: pg.Notification): void => {
    if (message.channel !== LIVE_CHANNEL || message.payload === undefined) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message.payload) as Envelope;
    } catch {
      return; // not one of ours
    }
    if (envelope.origin !== origin && envelope.event?.run) options.deliver(envelope.event);
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', onNotification);
    // An error on an idle client (the server went away) also ends it: reconnect from 'end'.
    next.on('error', (error: Error) => lost(next, error.message));
    next.on('end', () => lost(next, 'connection closed'));
    try {
      await next.connect();
      await next.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => {});
      throw error;
    }
    client = next;
    backoff = firstBackoff;
    if (warned) warn('cairn server: live updates across server processes are back');
    warned = false;
  };

  const lost = (which: pg.Client, why: string): void => {
    if (closed || client !== which) return;
    client = undefined;
    if (!warned) warn(`cairn server: live updates from other server processes paused (${why}); reconnecting`);
    warned = true;
    scheduleReconnect();
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().catch(() => {
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        scheduleReconnect();
      });
    }, backoff);
    reconnectTimer.unref();
  };

  await connect();

  return {
    send(event) {
      const listening = client;
      if (!listening) return;
      const payload: Envelope = { origin, event };
      listening.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(payload)]).catch(() => {
        // The connection's 'error'/'end' handlers reconnect; the event is a hint and is dropped.
      });
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      const listening = client;
      client = undefined;
      await listening?.end().catch(() => {});
    },
  };
}
