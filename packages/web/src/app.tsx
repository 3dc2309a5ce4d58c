/** The dashboard: picks the page for the URL and frames it. */
import { lazy, Suspense, useEffect } from 'react';
import { parseComparePath } from './lib/compare-url.js';
import { parseRoute, routePath } from './lib/routes.js';
import { useLiveFeed, useLiveStatus, type LiveFeed } from './live.js';
import { Link, useLocation } from './navigation.js';
import { useTheme, type Theme } from './theme.js';
import { Layout, Notice, type Crumb } from './components/layout.js';
import { ProjectsPage } from './components/projects-page.js';
import { WorkspacePage } from './components/workspace-page.js';

// The run and compare pages load on demand: the workspace (where most visits start) does not
// wait for their code.
const RunPage = lazy(() => import('./components/run-page.js').then((module) => ({ default: module.RunPage })));
const ComparePage = lazy(() => import('./components/compare-page.js').then((module) => ({ default: module.ComparePage })));

/** A page inside a project: they share the project's live stream. */
type ProjectView = { page: 'workspace' } | { page: 'run'; runId: string } | { page: 'compare' };

export function App() {
  const { pathname } = useLocation();
  const { theme, toggle } = useTheme();
  const compare = parseComparePath(pathname);
  const route = parseRoute(pathname);
  const title = compare
    ? `Compare · ${compare.project} · Cairn`
    : route.page === 'workspace'
      ? `${route.project} · Cairn`
      : route.page === 'run'
        ? `${route.runId} · ${route.project} · Cairn`
        : 'Cairn';
  useEffect(() => {
    document.title = title;
  }, [title]);

  if (compare) {
    return <ProjectPages key={`${compare.entity}/${compare.project}`} entity={compare.entity} project={compare.project} view={{ page: 'compare' }} theme={theme} onToggleTheme={toggle} />;
  }
  switch (route.page) {
    case 'projects':
      return (
        <Layout crumbs={[]} theme={theme} onToggleTheme={toggle}>
          <ProjectsPage />
        </Layout>
      );
    case 'workspace':
    case 'run':
      return (
        <ProjectPages
          key={`${route.entity}/${route.project}`}
          entity={route.entity}
          project={route.project}
          view={route.page === 'run' ? { page: 'run', runId: route.runId } : { page: 'workspace' }}
          theme={theme}
          onToggleTheme={toggle}
        />
      );
    case 'not-found':
      return (
        <Layout crumbs={[{ label: 'Not found' }]} theme={theme} onToggleTheme={toggle}>
          <Notice kind="error">
            There is no page at <code>{route.path}</code>. <Link href={routePath({ page: 'projects' })}>See all projects</Link>.
          </Notice>
        </Layout>
      );
  }
}

/** The pages of one project share its live stream: moving between them keeps the connection. */
function ProjectPages(props: { entity: string; project: string; view: ProjectView; theme: Theme; onToggleTheme: () => void }) {
  const { entity, project, view, theme, onToggleTheme } = props;
  const feed: LiveFeed = useLiveFeed(entity, project);
  const live = useLiveStatus(feed);
  const crumbs: Crumb[] = [{ label: entity }, { label: project, href: view.page === 'workspace' ? undefined : routePath({ page: 'workspace', entity, project }) }];
  if (view.page === 'run') crumbs.push({ label: view.runId });
  if (view.page === 'compare') crumbs.push({ label: 'Compare' });
  return (
    <Layout crumbs={crumbs} live={live} theme={theme} onToggleTheme={onToggleTheme}>
      <Suspense fallback={<Notice>Loading…</Notice>}>
        {view.page === 'run' ? (
          <RunPage key={view.runId} entity={entity} project={project} runId={view.runId} feed={feed} theme={theme} />
        ) : view.page === 'compare' ? (
          <ComparePage entity={entity} project={project} feed={feed} />
        ) : (
          <WorkspacePage entity={entity} project={project} feed={feed} theme={theme} />
        )}
      </Suspense>
    </Layout>
  );
}
