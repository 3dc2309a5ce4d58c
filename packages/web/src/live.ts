/**
 * The live stream of a project (`GET /api/v1/events`, server-sent events): one connection per
 * page, shared by the runs table and every panel. The browser's EventSource reconnects by
 * itself after a network error.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LiveEvent } from '@cairn/protocol';
import { paths } from './lib/api.js';

type Listener = (event: LiveEvent) => void;

export class LiveFeed {
  private source: EventSource | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(connected: boolean) => void>();
  connected = false;

  constructor(readonly url: string) {}

  open(): void {
    if (this.source || typeof EventSource === 'undefined') return;
    const source = new EventSource(this.url);
    this.source = source;
    source.addEventListener('ready', () => this.setConnected(true));
    source.addEventListener('error', () => this.setConnected(false));
    source.addEventListener('run', (message) => {
      let event: LiveEvent;
      try {
        event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
      } catch {
        return;
      }
      for (const listener of [...this.listeners]) listener(event);
    });
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
    this.setConnected(false);
  }

  /** Calls `listener` for every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (connected: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const listener of [...this.statusListeners]) listener(connected);
  }
}

/** The live feed of a project, open while the calling component is mounted. */
export function useLiveFeed(entity: string, project: string): LiveFeed {
  const url = paths.events(entity, project);
  const feed = useMemo(() => new LiveFeed(url), [url]);
  useEffect(() => {
    feed.open();
    return () => feed.close();
  }, [feed]);
  return feed;
}

/** Calls `handler` (the latest one rendered) for each event of `feed`. */
export function useLiveEvents(feed: LiveFeed | undefined, handler: Listener): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => (feed ? feed.subscribe((event) => latest.current(event)) : undefined), [feed]);
}

/** Whether the feed's stream is connected. */
export function useLiveStatus(feed: LiveFeed): boolean {
  const [connected, setConnected] = useState(feed.connected);
  useEffect(() => {
    setConnected(feed.connected);
    return feed.onStatus(setConnected);
  }, [feed]);
  return connected;
}
