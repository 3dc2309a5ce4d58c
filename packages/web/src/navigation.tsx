/**
 * Client-side routing on the History API: no router dependency. The location is an
 * external store (useSyncExternalStore), so every component reading it re-renders on
 * navigation, back and forward.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { withParams } from './lib/routes.js';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

/** The current path and query string; re-renders on every change. */
export function useLocation(): { pathname: string; search: string } {
  const current = useSyncExternalStore(subscribe, snapshot);
  const q = current.indexOf('?');
  return q === -1 ? { pathname: current, search: '' } : { pathname: current.slice(0, q), search: current.slice(q) };
}

/**
 * The query string's parameters accepted by `keep`, as a query string ('' for none): a
 * component reading only some parameters re-renders only when one of those changes, not on
 * every keystroke in a search box elsewhere on the page.
 */
export function useSearchParams(keep: (name: string) => boolean): string {
  return useSyncExternalStore(subscribe, () => {
    const kept = new URLSearchParams();
    for (const [name, value] of new URLSearchParams(window.location.search)) if (keep(name)) kept.append(name, value);
    const text = kept.toString();
    return text === '' ? '' : `?${text}`;
  });
}

/** Goes to `url` (a path with optional query): a new history entry, or `replace` the current one. */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === snapshot()) return;
  const samePage = url.split('?')[0] === window.location.pathname;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  if (!samePage && !options.replace) window.scrollTo(0, 0);
  for (const listener of [...listeners]) listener();
}

/** Sets (string) or removes (null) query parameters of the current page, replacing its history entry. */
export function setSearchParams(updates: Record<string, string | null>): void {
  navigate(window.location.pathname + withParams(window.location.search, updates), { replace: true });
}

/** An anchor that navigates in the page; modified clicks (new tab, …) behave as usual. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { onClick, ...rest } = props;
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return <a {...rest} onClick={follow} />;
}
