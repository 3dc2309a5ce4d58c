import { api } from '../lib/api.js';
import { formatAgo, formatDateTime } from '../lib/format.js';
import { routePath } from '../lib/routes.js';
import { useNow, useResource } from '../hooks.js';
import { Link } from '../navigation.js';
import { Notice } from './layout.js';

/** The three lines that log a first run into `project`. */
function quickstart(project: string): string {
  return `import { init } from '@cairn/sdk';
const run = await init({ project: '${project.replace(/[\\']/g, '\\$&')}' });
run.log({ loss: 0.5 });`;
}

/** `/`: every project, most recently active first. */
export function ProjectsPage() {
  const projects = useResource((signal) => api.projects(signal), []);
  const now = useNow();
  if (projects.error && !projects.data) return <Notice kind="error">Could not load the projects: {projects.error}</Notice>;
  if (!projects.data) return <Notice>Loading projects…</Notice>;
  if (projects.data.length === 0) return <EmptyProjects />;
  return (
    <section className="card">
      <h1 className="page-title">Projects</h1>
      <table className="table" data-testid="projects">
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Entity</th>
            <th scope="col" className="num">Runs</th>
            <th scope="col">Last activity</th>
          </tr>
        </thead>
        <tbody>
          {projects.data.map((project) => (
            <tr key={`${project.entity}/${project.name}`}>
              <td>
                <Link href={routePath({ page: 'workspace', entity: project.entity, project: project.name })}>{project.name}</Link>
              </td>
              <td className="muted">{project.entity}</td>
              <td className="num">{project.runCount}</td>
              <td title={formatDateTime(project.lastActivity)}>{formatAgo(project.lastActivity, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function EmptyProjects() {
  return (
    <section className="card empty" data-testid="empty-projects">
      <h1 className="page-title">No runs yet</h1>
      <FirstRun project="demo" />
    </section>
  );
}

/** What a newcomer needs to log a first run into `project`: the three lines, and where they go. */
export function FirstRun(props: { project: string }) {
  return (
    <>
      <p>Log your first run from any Node.js script. With this server running, three lines are enough:</p>
      <pre className="code">
        <code>{quickstart(props.project)}</code>
      </pre>
      <p className="muted">
        Install the SDK with <code>npm install @cairn/sdk</code>. The run shows up here while it trains; its charts grow live.
        {window.location.origin !== 'http://127.0.0.1:8080' && (
          <>
            {' '}
            This server is at <code>{window.location.origin}</code>: point the SDK at it with <code>CAIRN_BASE_URL={window.location.origin}</code>.
          </>
        )}
      </p>
    </>
  );
}
