import { describe, expect, it } from 'vitest';
import { ColorKeeper, distinctColors, hashString, projectColorMemory, REMEMBERED_COLORS, rememberedColor, RUN_PALETTE, runColor, withAlpha } from './colors.js';

describe('runColor', () => {
  it('gives a run the same palette colour every time', () => {
    expect(runColor('abc123')).toBe(runColor('abc123'));
    expect(RUN_PALETTE).toContain(runColor('abc123'));
  });

  it('spreads similar ids over the palette', () => {
    const colors = new Set(Array.from({ length: 64 }, (_, i) => runColor(`run-${i}`)));
    expect(colors.size).toBeGreaterThanOrEqual(12);
  });
});

describe('withAlpha', () => {
  it('appends an alpha byte', () => {
    expect(withAlpha('#4e79a7', 1)).toBe('#4e79a7ff');
    expect(withAlpha('#4e79a7', 0)).toBe('#4e79a700');
    expect(withAlpha('#4e79a7', 0.5)).toBe('#4e79a780');
    expect(withAlpha('#4e79a7', 7)).toBe('#4e79a7ff');
  });
});

describe('distinctColors', () => {
  const ids = (n: number, prefix = 'run-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('gives no two runs of a set the same colour while the palette lasts, whatever the set', () => {
    for (let seed = 0; seed < 50; seed++) {
      const set = ids(2 + (seed % 15), `s${seed}-`);
      const colors = distinctColors(set);
      expect(new Set(colors.values()).size).toBe(set.length);
      for (const color of colors.values()) expect(RUN_PALETTE).toContain(color);
    }
  });

  it('keeps each run its own colour unless another run of the set has it', () => {
    const set = ids(10);
    const colors = distinctColors(set);
    const byOwn = new Map<string, string[]>();
    for (const id of set) byOwn.set(runColor(id), [...(byOwn.get(runColor(id)) ?? []), id]);
    for (const [own, sharing] of byOwn) {
      // The first of those sharing a colour, in id order, keeps it.
      expect(colors.get([...sharing].sort()[0]!)).toBe(own);
    }
    const alone = set.filter((id) => byOwn.get(runColor(id))!.length === 1);
    for (const id of alone) expect(colors.get(id)).toBe(runColor(id));
  });

  it('depends on the set only, not its order; repeats colours beyond the palette', () => {
    const set = ids(12);
    expect(distinctColors([...set].reverse())).toEqual(distinctColors(set));
    const many = distinctColors(ids(40));
    expect(many.size).toBe(40);
    expect(new Set(many.values()).size).toBe(RUN_PALETTE.length);
  });
});

describe('ColorKeeper', () => {
  /** Ids whose own colours collide: the first `n` ids `run-<i>` with the same palette slot. */
  const colliding = (n: number): string[] => {
    const bySlot = new Map<number, string[]>();
    for (let i = 0; ; i++) {
      const id = `run-${i}`;
      const slot = hashString(id) % RUN_PALETTE.length;
      const list = bySlot.get(slot) ?? [];
      list.push(id);
      bySlot.set(slot, list);
      if (list.length === n) return list;
    }
  };

  it('colours a first set as distinctColors does', () => {
    const ids = ['a', 'b', 'c', ...colliding(3)];
    expect(new ColorKeeper().colorsFor(ids)).toEqual(distinctColors(ids));
  });

  it('recolours no run when another is hidden, and gives a hidden run its colour back', () => {
    const [first, second, third] = colliding(3) as [string, string, string];
    const keeper = new ColorKeeper();
    const all = keeper.colorsFor([first, second, third]);
    expect(new Set(all.values()).size).toBe(3);
    // Hiding the run that holds the shared colour: the displaced ones keep theirs.
    const without = keeper.colorsFor([second, third]);
    expect(without.get(second)).toBe(all.get(second));
    expect(without.get(third)).toBe(all.get(third));
    // distinctColors alone would give the colour back to one of them.
    expect(distinctColors([second, third]).get(second)).not.toBe(all.get(second));
    expect(keeper.colorsFor([first, second, third])).toEqual(all);
  });

  it('gives a new run a colour no run charted with it has', () => {
    const [first, second] = colliding(2) as [string, string];
    const keeper = new ColorKeeper();
    const before = keeper.colorsFor([first]);
    const after = keeper.colorsFor([first, second]);
    expect(after.get(first)).toBe(before.get(first));
    expect(after.get(second)).not.toBe(after.get(first));
  });

  /** A key-value store with the two methods of the browser's Storage the memory uses. */
  const storage = () => {
    const items = new Map<string, string>();
    return { items, getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
  };

  it('remembers the colours it gave for the next page: the run page and a reload', () => {
    // In id order, the second is displaced from the colour they share.
    const [first, second] = colliding(2).sort() as [string, string];
    const browser = storage();
    const workspace = new ColorKeeper(projectColorMemory('local', 'p', browser)).colorsFor([first, second]);
    expect(workspace.get(second)).not.toBe(runColor(second));
    // The run page of the displaced run: the workspace's colour, not the run's own.
    expect(rememberedColor(projectColorMemory('local', 'p', browser), second)).toBe(workspace.get(second));
    expect(rememberedColor(projectColorMemory('local', 'p', browser), 'never-charted')).toBe(runColor('never-charted'));
    // Another project knows nothing of it.
    expect(rememberedColor(projectColorMemory('local', 'other', browser), second)).toBe(runColor(second));
    // A reload charting the displaced run alone keeps its colour.
    expect(new ColorKeeper(projectColorMemory('local', 'p', browser)).colorsFor([second]).get(second)).toBe(workspace.get(second));
  });

  it('survives damaged, foreign and refused storage, and keeps the runs given last', () => {
    const browser = storage();
    const memory = projectColorMemory('local', 'p', browser);
    browser.items.set('cairn.colors.local/p', '{not json');
    expect(memory.load().size).toBe(0);
    browser.items.set('cairn.colors.local/p', JSON.stringify({ a: 3, b: 99, c: 'x', d: 1.5 }));
    expect([...memory.load()]).toEqual([['a', 3]]);
    const refusing = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(new ColorKeeper(projectColorMemory('local', 'p', refusing)).colorsFor(['x']).get('x')).toBe(runColor('x'));
    const many = Array.from({ length: REMEMBERED_COLORS + 10 }, (_, i) => `run-${i}`);
    const keeper = new ColorKeeper(memory);
    keeper.colorsFor(many.slice(0, 10));
    keeper.colorsFor(many.slice(10));
    const kept = memory.load();
    expect(kept.size).toBe(REMEMBERED_COLORS);
    expect(kept.has('run-0')).toBe(false);
    expect(kept.has(many[many.length - 1]!)).toBe(true);
  });
  it('colours anew one of two runs that were given one colour apart, once they are charted together', () => {
    const [first, second] = colliding(2).sort() as [string, string];
    const browser = storage();
    // Each charted alone (on two visits): each in its own colour, the same one.
    expect(new ColorKeeper(projectColorMemory('local', 'p', browser)).colorsFor([first]).get(first)).toBe(runColor(first));
    expect(new ColorKeeper(projectColorMemory('local', 'p', browser)).colorsFor([second]).get(second)).toBe(runColor(second));
    // Together: two colours, and so on the next visit.
    const together = new ColorKeeper(projectColorMemory('local', 'p', browser)).colorsFor([first, second]);
    expect(together.get(first)).toBe(runColor(first));
    expect(together.get(second)).not.toBe(together.get(first));
    expect(new ColorKeeper(projectColorMemory('local', 'p', browser)).colorsFor([second, first])).toEqual(together);
  });

  it('keeps what another tab of the project saved meanwhile', () => {
    const browser = storage();
    const tab1 = new ColorKeeper(projectColorMemory('local', 'p', browser));
    const tab2 = new ColorKeeper(projectColorMemory('local', 'p', browser));
    tab1.colorsFor(['x1']);
    tab2.colorsFor(['y1']);
    expect([...projectColorMemory('local', 'p', browser).load().keys()].sort()).toEqual(['x1', 'y1']);
  });
});
