/**
 * Live updates: ingest publishes which run changed and from which step; the event stream
 * forwards to subscribers of that project. Inside one process that is all; processes that
 * share a PostgreSQL database also pass events to each other through a relay (live-relay.ts).
 */
import type { LiveEvent } from '@cairn/protocol';
import type { LiveRelay } from './live-relay.js';

type Listener = (event: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<{ project: string | undefined; listener: Listener }>();
  private readonly closers = new Set<() => void>();
  private closed = false;
  private relay: LiveRelay | undefined;

  /** Calls `onClose` when the server shuts down (event streams end themselves). */
  onClose(onClose: () => void): () => void {
    if (this.closed) {
      onClose();
      return () => {};
    }
    this.closers.add(onClose);
    return () => this.closers.delete(onClose);
  }

  /** Ends every stream: a server cannot finish in-flight requests while streams stay open. */
  close(): void {
    this.closed = true;
    for (const onClose of [...this.closers]) onClose();
    this.closers.clear();
  }

  /** Calls `listener` for changes of runs in `entity/project` (all projects when undefined). */
  subscribe(project: string | undefined, listener: Listener): () => void {
    const entry = { project, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Events also go to (and come from) other server processes through `relay`. */
  attachRelay(relay: LiveRelay): void {
    this.relay = relay;
  }

  /** A change made in this process: to local subscribers and to other processes. */
  publish(event: LiveEvent): void {
    this.deliver(event);
    this.relay?.send(event);
  }

  /** A change another process made: to local subscribers only. */
  deliver(event: LiveEvent): void {
    const project = `${event.run.entity}/${event.run.project}`;
    for (const { project: wanted, listener } of this.listeners) if (wanted === undefined || wanted === project) listener(event);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Whether anyone may hear an event: worth the queries that build one. */
  get hasAudience(): boolean {
    return this.listeners.size > 0 || this.relay !== undefined;
  }
}
