import type { ReactNode } from 'react';
import { Link } from '../navigation.js';
import { routePath, type Route } from '../lib/routes.js';
import type { Theme } from '../theme.js';

export interface Crumb {
  label: string;
  href?: string;
}

/** The page frame: header with breadcrumbs, live status and the theme toggle. */
export function Layout(props: { crumbs: Crumb[]; live?: boolean; theme: Theme; onToggleTheme: () => void; children: ReactNode }) {
  const { crumbs, live, theme, onToggleTheme, children } = props;
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <>
      <header className="topbar">
        <Link className="brand" href={routePath({ page: 'projects' } satisfies Route)} aria-label="Cairn: all projects">
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <ellipse cx="12" cy="19" rx="8" ry="3" fill="currentColor" opacity="0.9" />
            <ellipse cx="12" cy="13" rx="6" ry="2.6" fill="currentColor" opacity="0.7" />
            <ellipse cx="12" cy="7.5" rx="4" ry="2.2" fill="currentColor" opacity="0.5" />
          </svg>
          Cairn
        </Link>
        <nav aria-label="Breadcrumbs" className="crumbs">
          {crumbs.map((crumb, i) => (
            <span key={i} className="crumb">
              <span className="crumb-sep" aria-hidden="true">/</span>
              {crumb.href ? <Link href={crumb.href}>{crumb.label}</Link> : <span aria-current="page">{crumb.label}</span>}
            </span>
          ))}
        </nav>
        <span className="spacer" />
        {live !== undefined && (
          <span className={`live-status ${live ? 'on' : 'off'}`} title={live ? 'Receiving live updates' : 'Live updates disconnected; reconnecting'}>
            <span className="live-dot" aria-hidden="true" />
            {live ? 'Live' : 'Offline'}
          </span>
        )}
        <button type="button" className="icon-button" onClick={onToggleTheme} aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main className="page">{children}</main>
    </>
  );
}

/** A message in place of content: loading, errors, empty lists. */
export function Notice(props: { kind?: 'error' | 'info'; children: ReactNode }) {
  return (
    <div className={`notice ${props.kind ?? 'info'}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
