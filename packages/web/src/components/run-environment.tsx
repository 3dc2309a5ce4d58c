/** Where and how a run was started: its git state, program, Node, OS and host (RunInfo.metadata). */
import { useId, type ReactNode } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { commitUrl, formatBytes, gitWebUrl, readEnvironment, shellLine } from '../lib/run-details.js';

function External({ href, children }: { href: string | undefined; children: ReactNode }) {
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ) : (
    <>{children}</>
  );
}

export function RunEnvironment({ run }: { run: RunInfo }) {
  const headingId = useId();
  const env = readEnvironment(run.metadata);
  const hardware = [env.cpuCount && `${env.cpuCount} CPUs`, env.memoryBytes && `${formatBytes(env.memoryBytes)} memory`].filter(Boolean).join(', ');
  const rows: Array<[string, ReactNode]> = [
    ['Git remote', env.gitRemote && <External href={gitWebUrl(env.gitRemote)}><code>{env.gitRemote}</code></External>],
    ['Git commit', env.gitCommit && <External href={commitUrl(env.gitRemote, env.gitCommit)}><code title={env.gitCommit}>{env.gitCommit.slice(0, 12)}</code></External>],
    ['Git branch', env.gitBranch && <code>{env.gitBranch}</code>],
    ['Program', env.program && <code>{env.program}</code>],
    ['Arguments', env.args.length > 0 && <code>{shellLine(env.args)}</code>],
    ['Working directory', env.cwd && <code>{env.cwd}</code>],
    ['Node', env.node],
    ['OS', env.os],
    ['Host', env.host && (env.user ? `${env.user}@${env.host}` : env.host)],
    ['Hardware', hardware],
  ];
  return (
    <section className="card run-environment" aria-labelledby={headingId} data-testid="environment">
      <div className="toolbar">
        <h2 id={headingId} className="section-title">
          Environment
        </h2>
      </div>
      {run.metadata === null ? (
        <p className="muted">This run recorded no environment.</p>
      ) : (
        <dl className="environment">
          {rows.map(([label, value]) => (
            <div key={label} className="environment-item" data-field={label}>
              <dt>{label}</dt>
              <dd>{value === undefined || value === false || value === '' ? <span className="muted">—</span> : value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
