/**
 * A colour per run: its own colour ({@link runColor}, from its id, the same on every load
 * without storing anything), unless a run charted with it has that colour too; then
 * {@link distinctColors} and {@link ColorKeeper} give it the next free one. The workspace's
 * keeper remembers what it gave ({@link projectColorMemory}), so the run page and a reload
 * show each run in the same colour.
 */

/** Distinguishable on both the light and the dark theme. */
export const RUN_PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#17becf', '#c9a227', '#ff7f9e',
  '#9c755f', '#3b9ede', '#d37295', '#2ca58d', '#8f6fd8', '#bc5090', '#7f8c2a', '#5d6dbe',
] as const;

/** FNV-1a: small, fast, and spreads similar ids (`run-1`, `run-2`) well. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The colour of a run, as `#rrggbb`. */
export function runColor(runId: string): string {
  return RUN_PALETTE[hashString(runId) % RUN_PALETTE.length]!;
}

/**
 * Colours for runs drawn together, by id: each run keeps its own colour ({@link runColor})
 * unless another run of the set has it too; such runs (in id order, after every run that
 * could keep its own) take the next free colour of the palette. So a chart of up to 16 runs
 * has no two alike, and the result depends only on the set, not on the order given. Beyond
 * the palette's size, colours repeat.
 */
export function distinctColors(ids: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const size = RUN_PALETTE.length;
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  const displaced: string[] = [];
  for (const id of sorted) {
    const own = hashString(id) % size;
    if (taken.has(own)) {
      displaced.push(id);
    } else {
      taken.add(own);
      slots.set(id, own);
    }
  }
  for (const id of displaced) {
    let slot = hashString(id) % size;
    if (taken.size < size) while (taken.has(slot)) slot = (slot + 1) % size;
    taken.add(slot);
    slots.set(id, slot);
  }
  return new Map(sorted.map((id) => [id, RUN_PALETTE[slots.get(id)!]!]));
}

/**
 * Colours that stay with their runs (while the page lives, and beyond with a memory): a run
 * keeps the colour it was first given, so hiding one run never recolours another, and a run
 * shown again comes back in its colour. Runs seen for the first time are coloured as
 * {@link distinctColors} would, around the colours of the runs charted with them: their own
 * colour when free, else the next free one. The one exception: two runs given the same
 * colour while apart (one hidden when the other came), once charted together, are told apart.
 *
 * @example
 * const keeper = new ColorKeeper();
 * keeper.colorsFor(['a', 'b', 'c']); // b displaced from a's colour, say
 * keeper.colorsFor(['b', 'c']);      // b keeps the colour it had, a hidden
 */
export class ColorKeeper {
  /** Palette slot given to each run. */
  private readonly given: Map<string, number>;

  /** With a `memory`, the colours given are remembered beyond the page, and those it holds are kept. */
  constructor(private readonly memory?: ColorMemory) {
    this.given = memory?.load() ?? new Map();
  }

  colorsFor(ids: Iterable<string>): Map<string, string> {
    const list = [...new Set(ids)];
    const size = RUN_PALETTE.length;
    // Two runs coloured apart (one hidden, or on another page) may hold the same colour:
    // charted together, the run whose own colour it is keeps it (else the first in id order),
    // and the other is coloured anew.
    const holders = new Map<number, string>();
    for (const id of [...list].sort()) {
      const slot = this.given.get(id);
      if (slot === undefined) continue;
      const holder = holders.get(slot);
      if (holder === undefined) {
        holders.set(slot, id);
      } else if (hashString(id) % size === slot && hashString(holder) % size !== slot) {
        this.given.delete(holder);
        holders.set(slot, id);
      } else {
        this.given.delete(id);
      }
    }
    const taken = new Set(holders.keys());
    const fresh = list.filter((id) => !this.given.has(id)).sort();
    const displaced: string[] = [];
    for (const id of fresh) {
      const own = hashString(id) % size;
      if (taken.has(own)) displaced.push(id);
      else {
        taken.add(own);
        this.given.set(id, own);
      }
    }
    for (const id of displaced) {
      let slot = hashString(id) % size;
      if (taken.size < size) while (taken.has(slot)) slot = (slot + 1) % size;
      taken.add(slot);
      this.given.set(id, slot);
    }
    if (fresh.length > 0) this.memory?.save(new Map(fresh.map((id) => [id, this.given.get(id)!])));
    return new Map(list.map((id) => [id, RUN_PALETTE[this.given.get(id)!]!]));
  }
}

/** Palette slots given to a project's runs, kept where every page of the dashboard finds them. */
export interface ColorMemory {
  load(): Map<string, number>;
  /** Adds (or changes) the colours of these runs, keeping the others remembered. */
  save(slots: ReadonlyMap<string, number>): void;
}

/** The most runs of a project whose colours are remembered: the ones given last are kept. */
export const REMEMBERED_COLORS = 5000;

/** What the memory uses of the browser's Storage. */
interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function browserStorage(): KeyValueStorage | undefined {
  try {
    return (globalThis as { localStorage?: KeyValueStorage }).localStorage;
  } catch {
    return undefined; // storage refused (a sandboxed frame, say)
  }
}

/**
 * The colours given to a project's runs, remembered in the browser's local storage (one entry
 * per project): the run page draws a run in the colour the workspace gave it, and a reload
 * keeps every colour. Without storage (refused, full), nothing is remembered, and runs have
 * their own colours or the workspace's for as long as it lives.
 */
export function projectColorMemory(entity: string, project: string, storage: KeyValueStorage | undefined = browserStorage()): ColorMemory {
  const key = `cairn.colors.${entity}/${project}`;
  const load = () => {
    const slots = new Map<string, number>();
    try {
      const stored: unknown = JSON.parse(storage?.getItem(key) ?? '{}');
      if (stored && typeof stored === 'object') {
        for (const [id, slot] of Object.entries(stored)) if (Number.isInteger(slot) && slot >= 0 && slot < RUN_PALETTE.length) slots.set(id, slot as number);
      }
    } catch {
      // Not ours, or damaged: start afresh.
    }
    return slots;
  };
  return {
    load,
    save(slots) {
      // Added to what is stored now: another tab of the project may have saved since this one loaded.
      const merged = load();
      for (const [id, slot] of slots) {
        merged.delete(id);
        merged.set(id, slot);
      }
      const entries = [...merged].slice(-REMEMBERED_COLORS);
      try {
        storage?.setItem(key, JSON.stringify(Object.fromEntries(entries)));
      } catch {
        // Full or refused: the colours hold while the page lives.
      }
    },
  };
}

/** A run's colour outside the workspace: the one the workspace gave it, else its own. */
export function rememberedColor(memory: ColorMemory, runId: string): string {
  const slot = memory.load().get(runId);
  return slot === undefined ? runColor(runId) : RUN_PALETTE[slot]!;
}

/** `#rrggbb` with an alpha in [0, 1], as `#rrggbbaa`. */
export function withAlpha(hex: string, alpha: number): string {
  const byte = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
  return `${hex.slice(0, 7)}${byte.toString(16).padStart(2, '0')}`;
}
