import { describe, expect, it } from 'vitest';
import type { MetricDefinition } from '@cairn/protocol';
import { axisChoices, axisLabel, matchesSearch, metricFor, planPanels, sectionOf } from './panels.js';

describe('metricFor', () => {
  const definitions: MetricDefinition[] = [
    { name: 'val/*', stepMetric: 'epoch' },
    { name: 'v*', hidden: true },
    { name: 'val/acc', summary: ['max'] },
  ];

  it('prefers an exact definition, else the first glob (in definition order) prefixing the key', () => {
    expect(metricFor('val/acc', definitions)).toEqual({ name: 'val/acc', summary: ['max'] });
    expect(metricFor('val/loss', definitions)).toEqual({ name: 'val/*', stepMetric: 'epoch' });
    expect(metricFor('vision', definitions)).toEqual({ name: 'v*', hidden: true });
    expect(metricFor('loss', definitions)).toBeUndefined();
  });

  it('never matches a glob to a key starting with _', () => {
    expect(metricFor('_runtime', [{ name: '*', hidden: true }])).toBeUndefined();
    expect(metricFor('_runtime', [{ name: '_runtime', hidden: true }])).toEqual({ name: '_runtime', hidden: true });
  });
});

describe('planPanels', () => {
  it('makes one panel per key in sections by prefix, ungrouped first, skipping _ keys and hidden metrics', () => {
    const keys = ['val/loss', 'loss', '_runtime', 'train/loss', 'train/acc', 'epoch', 'debug/grad', '_timestamp', 'lr'];
    const definitions: MetricDefinition[] = [
      { name: 'val/*', stepMetric: 'epoch' },
      { name: 'debug/*', hidden: true },
      { name: 'lr', hidden: false },
    ];
    expect(planPanels(keys, definitions)).toEqual([
      {
        name: 'Charts',
        panels: [
          { key: 'epoch', defaultX: '_step' },
          { key: 'loss', defaultX: '_step' },
          { key: 'lr', defaultX: '_step' },
        ],
      },
      {
        name: 'train',
        panels: [
          { key: 'train/acc', defaultX: '_step' },
          { key: 'train/loss', defaultX: '_step' },
        ],
      },
      { name: 'val', panels: [{ key: 'val/loss', defaultX: 'epoch' }] },
    ]);
  });

  it('has no sections without keys', () => {
    expect(planPanels([], [])).toEqual([]);
    expect(planPanels(['_runtime'], [])).toEqual([]);
  });
});

describe('sectionOf', () => {
  it('is the text before the first slash', () => {
    expect(sectionOf('train/loss')).toBe('train');
    expect(sectionOf('a/b/c')).toBe('a');
    expect(sectionOf('loss')).toBe('Charts');
    expect(sectionOf('/odd')).toBe('Charts');
    expect(sectionOf('nested.value')).toBe('Charts');
  });
});

describe('axisChoices', () => {
  it('offers the built-in axes, then logged step metrics', () => {
    const definitions: MetricDefinition[] = [
      { name: 'val/*', stepMetric: 'epoch' },
      { name: 'x', stepMetric: 'batch' },
      { name: 'y', stepMetric: 'epoch' },
    ];
    expect(axisChoices(['epoch', 'val/loss'], definitions)).toEqual(['_step', '_runtime', '_timestamp', 'epoch']);
    expect(axisChoices(['epoch', 'batch'], definitions)).toEqual(['_step', '_runtime', '_timestamp', 'batch', 'epoch']);
    expect(axisChoices([], [])).toEqual(['_step', '_runtime', '_timestamp']);
  });

  it('labels the built-in axes for people', () => {
    expect(axisLabel('_step')).toBe('Step');
    expect(axisLabel('_runtime')).toBe('Relative time');
    expect(axisLabel('_timestamp')).toBe('Wall time');
    expect(axisLabel('epoch')).toBe('epoch');
  });
});

describe('matchesSearch', () => {
  it('needs every word, in any case', () => {
    expect(matchesSearch('train/Loss', 'loss')).toBe(true);
    expect(matchesSearch('train/loss', 'tra LOSS')).toBe(true);
    expect(matchesSearch('train/loss', 'val loss')).toBe(false);
    expect(matchesSearch('anything', '  ')).toBe(true);
  });
});
