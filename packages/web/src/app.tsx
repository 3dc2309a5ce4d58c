/** The dashboard: picks the page for the URL and frames it. */
import { useEffect } from 'react';
import { parseRoute, routePath } from './lib/routes.js';
import { useLiveFeed, useLiveStatus, type LiveFeed } from './live.js';
import { Link, useLocation } from './navigation.js';
import { useTheme, type Theme } from './theme.js';
import { Layout, Notice, type Crumb } from './components/layout.js';
import { ProjectsPage } from './components/projects-page.js';
import { RunPage } from './components/run-page.js';
import { WorkspacePage } from './components/workspace-page.js';

export function App() {
  const { pathname } = useLocation();
  const { theme, toggle } = useTheme();
  const route = parseRoute(pathname);
  const title = route.page === 'workspace' ? `${route.project} · Cairn` : route.page === 'run' ? `${route.runId} · ${route.project} · Cairn` : 'Cairn';
  useEffect(() => {
    document.title = title;
  }, [title]);

  switch (route.page) {
    case 'projects':
      return (
        <Layout crumbs={[]} theme={theme} onToggleTheme={toggle}>
          <ProjectsPage />
        </Layout>
      );
    case 'workspace':
    case 'run':
      return <ProjectPages key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} runId={route.page === 'run' ? route.runId : undefined} theme={theme} onToggleTheme={toggle} />;
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
function ProjectPages(props: { entity: string; project: string; runId: string | undefined; theme: Theme; onToggleTheme: () => void }) {
  const { entity, project, runId, theme, onToggleTheme } = props;
  const feed: LiveFeed = useLiveFeed(entity, project);
  const live = useLiveStatus(feed);
  const crumbs: Crumb[] = [{ label: entity }, { label: project, href: runId ? routePath({ page: 'workspace', entity, project }) : undefined }];
  if (runId) crumbs.push({ label: runId });
  return (
    <Layout crumbs={crumbs} live={live} theme={theme} onToggleTheme={onToggleTheme}>
      {runId ? <RunPage key={runId} entity={entity} project={project} runId={runId} feed={feed} theme={theme} /> : <WorkspacePage entity={entity} project={project} feed={feed} theme={theme} />}
    </Layout>
  );
}
