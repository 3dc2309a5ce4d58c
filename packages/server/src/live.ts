/**
 * Live updates inside one server process: ingest publishes which run changed and from
 * which step; the event stream forwards to subscribers of that project. (Several server
 * processes will relay through PostgreSQL LISTEN/NOTIFY; nothing here is needed by another
 * process.)
 */
import type { LiveEvent } from '@cairn/protocol';

type Listener = (event: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<{ project: string | undefined; listener: Listener }>();
  private readonly closers = new Set<() => void>();
  private closed = false;

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

  publish(event: LiveEvent): void {
    const project = `${event.run.entity}/${event.run.project}`;
    for (const { project: wanted, listener } of this.listeners) if (wanted === undefined || wanted === project) listener(event);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
