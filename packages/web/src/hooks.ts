/** Small React hooks shared by the pages. */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type DependencyList, type RefObject } from 'react';
import { errorMessage } from './lib/api.js';

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload: () => void;
  /** Replaces the data (after an edit, or a live update of one item). */
  update: (change: (current: T | undefined) => T | undefined) => void;
}

/**
 * Data loaded by `load`, again whenever `deps` change; the previous data stays while loading
 * (no flicker). `initial`, when it gives data, is the first load's answer, already in (an
 * early answer: early-answers.ts): the first render shows it and nothing is loaded then.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList, initial?: () => T | undefined): Resource<T> {
  const [data, setData] = useState<T | undefined>(initial);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(data === undefined);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  const answered = useRef(data !== undefined);
  useEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    if (answered.current) {
      answered.current = false;
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(errorMessage(reason));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const update = useCallback((change: (current: T | undefined) => T | undefined) => setData(change), []);
  return { data, error, loading, reload, update };
}

/**
 * Whether the element is on screen (or within `margin`, in pixels, of it). Known before the
 * first paint — measured as the element mounts, as an IntersectionObserver would report it
 * a frame later — so work for what is on screen can start at once.
 */
export function useOnScreen(ref: RefObject<Element | null>, margin = 200): boolean {
  const [onScreen, setOnScreen] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (typeof IntersectionObserver === 'undefined') {
      setOnScreen(true);
      return;
    }
    const box = element.getBoundingClientRect();
    const rendered = box.width > 0 || box.height > 0;
    setOnScreen(rendered && box.bottom >= -margin && box.top <= window.innerHeight + margin && box.right >= -margin && box.left <= window.innerWidth + margin);
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) setOnScreen(entry.isIntersecting);
    }, { rootMargin: `${margin}px` });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, margin]);
  return onScreen;
}

/**
 * The element's content width in CSS pixels, measured before the first paint; resizing
 * updates it at most every `settleMs`.
 */
export function useWidth(ref: RefObject<Element | null>, settleMs = 150): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(Math.floor(element.getBoundingClientRect().width));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new ResizeObserver((entries) => {
      const next = Math.floor(entries[0]?.contentRect.width ?? 0);
      clearTimeout(timer);
      timer = setTimeout(() => setWidth(next), settleMs);
    });
    observer.observe(element);
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, [ref, settleMs]);
  return width;
}

/** `value`, updated only after it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A clock for "5 min ago" labels: re-renders every `ms`. Unix seconds. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * Calls `callback` once the browser has painted its next frame; returns a function that
 * cancels it. (A frame's callbacks run before it is painted; a task queued from one runs after.)
 */
export function afterNextPaint(callback: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(callback, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/**
 * False until the page has painted once since this component mounted, then true: what is
 * rendered behind it waits a frame, so that the content above it reaches the screen first
 * (the workspace paints its runs table, then builds its charts).
 */
export function usePainted(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => (painted ? undefined : afterNextPaint(() => setPainted(true))), [painted]);
  return painted;
}
