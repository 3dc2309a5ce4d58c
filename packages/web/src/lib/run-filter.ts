/**
 * The runs filter box: free text matches names and ids, and a few forms become the server's
 * structured filters —
 *   summary.acc > 0.9    config.lr <= 0.01    config.optimizer = adam    (= != < <= > >=)
 *   state:running,failed    tag:best    group:sweep-1    job:train
 * The text stays in the URL as typed; what it means is parsed here.
 */

export const FILTER_OPERATORS = ['<=', '>=', '!=', '=', '<', '>'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface FieldCondition {
  /** `config.<escaped path>` or `summary.<escaped path>`. */
  field: string;
  op: FilterOperator;
  value: string | number | boolean | null;
}

export interface RunFilter {
  /** Matched against run names and ids. */
  search: string;
  conditions: FieldCondition[];
  states: string[];
  tags: string[];
  group: string | undefined;
  jobType: string | undefined;
  /** Parts that could not be read (an unfinished comparison, an unknown state): not applied. */
  problems: string[];
}

const STATES = ['running', 'finished', 'failed', 'crashed', 'killed', 'preempted'];

// A field, an operator and a value (a "quoted string" or one word); spaces around the operator are optional.
const CONDITION = /^((?:config|summary)\.(?:\\.|[^\s<>=!\\])+)\s*(<=|>=|!=|=|<|>)\s*("[^"]*"|[^\s"]+)/;
const UNFINISHED = /^((?:config|summary)\.(?:\\.|[^\s<>=!\\])*)\s*(<=|>=|!=|=|<|>)?/;
const QUALIFIER = /^(state|states|tag|tags|group|job|jobtype|job_type):("[^"]*"|\S*)/i;

function literal(text: string): FieldCondition['value'] {
  if (text.startsWith('"')) return text.slice(1, -1);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) ? number : text;
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1) : text;
}

/**
 * Reads the filter box.
 *
 * @example
 * parseRunFilter('resnet summary.acc > 0.9 state:finished');
 * // → { search: 'resnet', conditions: [{ field: 'summary.acc', op: '>', value: 0.9 }], states: ['finished'], … }
 */
export function parseRunFilter(text: string): RunFilter {
  const filter: RunFilter = { search: '', conditions: [], states: [], tags: [], group: undefined, jobType: undefined, problems: [] };
  const words: string[] = [];
  let rest = text.trim();
  while (rest !== '') {
    const condition = CONDITION.exec(rest);
    const qualifier = condition ? null : QUALIFIER.exec(rest);
    let consumed: number;
    if (condition && /^(config|summary)\./.test(condition[3]!)) {
      // `summary.acc > config.lr`: comparing two fields is not supported; the first one is unfinished.
      filter.problems.push(`“${condition[1]} ${condition[2]}” needs a value, like ${condition[1]} ${condition[2]} 0.5`);
      consumed = condition[0].length - condition[3]!.length;
    } else if (condition) {
      filter.conditions.push({ field: condition[1]!, op: condition[2] as FilterOperator, value: literal(condition[3]!) });
      consumed = condition[0].length;
    } else if (qualifier) {
      consumed = qualifier[0].length;
      const name = qualifier[1]!.toLowerCase();
      const value = unquote(qualifier[2]!);
      const values = value.split(',').map((v) => v.trim()).filter(Boolean);
      if (values.length === 0) filter.problems.push(`${qualifier[1]}: needs a value`);
      else if (name.startsWith('state')) {
        for (const state of values.map((v) => v.toLowerCase())) {
          if (STATES.includes(state)) filter.states.push(state);
          else filter.problems.push(`no state “${state}” (${STATES.join(', ')})`);
        }
      } else if (name.startsWith('tag')) filter.tags.push(...values);
      else if (name === 'group') filter.group = value;
      else filter.jobType = value;
    } else if (UNFINISHED.test(rest)) {
      // A field, perhaps with its operator, still being typed: reported, never searched for.
      const [text, field, op] = UNFINISHED.exec(rest)!;
      filter.problems.push(op ? `“${field} ${op}” needs a value, like ${field} ${op} 0.5` : `“${field}” needs an operator and a value, like ${field} > 0.5`);
      consumed = text.length;
    } else {
      const word = /^\S+/.exec(rest)![0];
      consumed = word.length;
      words.push(word);
    }
    rest = rest.slice(consumed).trimStart();
  }
  filter.search = words.join(' ');
  return filter;
}

/** Whether the filter narrows the runs at all. */
export function isFiltering(filter: RunFilter): boolean {
  return filter.search !== '' || filter.conditions.length > 0 || filter.states.length > 0 || filter.tags.length > 0 || filter.group !== undefined || filter.jobType !== undefined;
}

/**
 * The runs list's query parameters for a filter (the server's names: search, filter as JSON,
 * state, tags, group, jobType).
 */
export function filterParams(filter: RunFilter): Record<string, string> {
  const params: Record<string, string> = {};
  if (filter.search) params.search = filter.search;
  if (filter.conditions.length > 0) params.filter = JSON.stringify(filter.conditions);
  if (filter.states.length > 0) params.state = filter.states.join(',');
  if (filter.tags.length > 0) params.tags = filter.tags.join(',');
  if (filter.group !== undefined) params.group = filter.group;
  if (filter.jobType !== undefined) params.jobType = filter.jobType;
  return params;
}
