import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_PREFIX, apiPaths, RECORDS_CONTENT_TYPE, type ApiErrorBody, type MetricDefinition } from '@cairn/protocol';
import { engines, openTestServer, postgresSkipReason } from '../test-support/engines.js';
import { logBody, runRecords } from '../test-support/records.js';
import { projectKeysRoute, type ProjectKeys } from './keys-query.js';

if (postgresSkipReason) it.skip(postgresSkipReason, () => {});

describe.each(engines)('project keys on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
    // app.ts registers this route as api.get('/projects/:entity/:project/keys', projectKeysRoute(store)).
    server.app.get(`${API_PREFIX}/projects/:entity/:project/keys`, projectKeysRoute(server.store));
  });
  afterEach(async () => {
    await server.dispose();
  });

  const ingest = async (id: string, rows: Array<Record<string, unknown>>, options: { project?: string; metrics?: MetricDefinition[] } = {}) => {
    const project = options.project ?? 'proj';
    const records = runRecords(id, rows, { exitCode: 0, project });
    const definitions = (options.metrics ?? []).map((definition) => ({ t: 'metric', definition, overwrite: false }));
    records.splice(2, 0, ...definitions);
    const response = await server.app.request(`${apiPaths.records('local', project, id)}?writer=w1&first=0`, {
      method: 'POST',
      headers: { 'content-type': RECORDS_CONTENT_TYPE },
      body: logBody(records),
    });
    expect(response.status).toBe(200);
  };
  const keys = async (project: string, query = '', expectStatus = 200) => {
    const response = await server.app.request(`${API_PREFIX}/projects/local/${project}/keys${query}`);
    expect(response.status).toBe(expectStatus);
    return (await response.json()) as ProjectKeys & ApiErrorBody;
  };

  it('lists the distinct numeric series keys of every run of the project, sorted', async () => {
    await ingest('a', [{ loss: 1, 'train/acc': 0.5, nested: { f1: 0.2 }, note: 'text' }, { loss: 0.5 }]);
    await ingest('b', [{ 'val/loss': 2, 'a.b': 1 }]);
    await ingest('c', [{ secret: 1 }], { project: 'other' });
    const answer = await keys('proj');
    expect(answer.keys).toEqual(['_runtime', '_timestamp', 'a\\.b', 'loss', 'nested.f1', 'train/acc', 'val/loss']);
    expect(answer.metrics).toEqual([]);
    expect((await keys('other')).keys).toEqual(['_runtime', '_timestamp', 'secret']);
  });

  it('unions the runs\' metric definitions, the newest run winning for a name', async () => {
    await ingest('old', [{ 'val/loss': 1, epoch: 0 }], {
      metrics: [
        { name: 'val/*', stepMetric: 'epoch', stepSync: true },
        { name: 'loss', summary: ['min'] },
      ],
    });
    await ingest('new', [{ 'val/loss': 1, debug: 3 }], { metrics: [{ name: 'val/*', stepMetric: 'epoch', stepSync: true, hidden: true }, { name: 'debug', hidden: true }] });
    const answer = await keys('proj');
    const byName = new Map(answer.metrics.map((m) => [m.name, m]));
    expect(answer.metrics).toHaveLength(3);
    expect(byName.get('val/*')).toEqual({ name: 'val/*', stepMetric: 'epoch', stepSync: true, hidden: true });
    expect(byName.get('loss')).toEqual({ name: 'loss', summary: ['min'] });
    expect(byName.get('debug')).toEqual({ name: 'debug', hidden: true });
  });

  it('restricts keys and definitions to the runs named by ?runs=', async () => {
    await ingest('a', [{ loss: 1 }], { metrics: [{ name: 'loss', goal: 'minimize' }] });
    await ingest('b', [{ acc: 1 }]);
    expect(await keys('proj', '?runs=b')).toEqual({ keys: ['_runtime', '_timestamp', 'acc'], metrics: [] });
    expect(await keys('proj', '?runs=a,b')).toEqual({ keys: ['_runtime', '_timestamp', 'acc', 'loss'], metrics: [{ name: 'loss', goal: 'minimize' }] });
    expect(await keys('proj', '?runs=nope')).toEqual({ keys: [], metrics: [] });
  });

  it('answers an unknown project with no keys, and a malformed runs list with invalid_argument', async () => {
    expect(await keys('nothing-here')).toEqual({ keys: [], metrics: [] });
    const bad = await keys('proj', '?runs=,', 400);
    expect(bad.error.code).toBe('invalid_argument');
    expect(bad.error.message).toMatch(/runs=/);
  });
});
