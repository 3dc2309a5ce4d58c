import { describe, expect, it } from 'vitest';
import type { SeriesRequest } from '@cairn/protocol';
import { packBuckets } from './buckets.js';
import { queryPanel, type PanelQuery } from './panel-query.js';
import type { SeriesAnswer } from './series-binary.js';

const runs = [
  { entity: 'local', project: 'p', id: 'a' },
  { entity: 'local', project: 'p', id: 'b' },
];

/** Two runs over steps 0–99 and 50–300; one bucket per series answers its extent. */
function fakeServer() {
  const requests: SeriesRequest[] = [];
  const fetchSeries = async (request: SeriesRequest): Promise<SeriesAnswer> => {
    requests.push(request);
    const extents: Record<string, [number, number]> = { a: [0, 99], b: [50, 300] };
    return {
      x: request.x ?? '_step',
      series: request.runs.map((run) => {
        const [from, to] = extents[run.id]!;
        return { run, key: request.keys[0]!, buckets: packBuckets([{ count: 2, first: [from, 1], last: [to, 2], min: [from, 1], max: [to, 2] }]) };
      }),
    };
  };
  return { requests, fetchSeries };
}

const base: PanelQuery = { runs, key: 'loss', x: '_step', buckets: 400, zoom: undefined, shared: false };

describe('queryPanel', () => {
  it('asks once for the whole series when neither zoomed nor grouped', async () => {
    const { requests, fetchSeries } = fakeServer();
    const answer = await queryPanel(fetchSeries, base);
    expect(requests).toEqual([{ runs, keys: ['loss'], x: '_step', buckets: 400 }]);
    expect(answer.range).toBeUndefined();
  });

  it('asks for the zoomed range at full resolution', async () => {
    const { requests, fetchSeries } = fakeServer();
    const answer = await queryPanel(fetchSeries, { ...base, zoom: [10, 20], shared: true });
    expect(requests).toEqual([{ runs, keys: ['loss'], x: '_step', range: [10, 20], buckets: 400 }]);
    expect(answer.range).toEqual([10, 20]);
  });

  it('puts grouped runs on one grid: their joint extent first, then that range', async () => {
    const { requests, fetchSeries } = fakeServer();
    const answer = await queryPanel(fetchSeries, { ...base, x: '_runtime', shared: true });
    expect(requests.map((r) => [r.buckets, r.range])).toEqual([[1, undefined], [400, [0, 300]]]);
    expect(requests[1]!.x).toBe('_runtime');
    expect(answer).toMatchObject({ x: '_runtime', range: [0, 300] });
  });
});
