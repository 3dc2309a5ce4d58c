/**
 * Schemas of the API's inputs, shared by the server (which validates every request with
 * them) and by clients that want to check a request before sending it.
 */
import { z } from 'zod';
import { CairnError } from './errors.js';

/** Entity, project and run ids in paths: 1–128 characters, none of / \ # ? % : and no leading space. */
export const nameSchema = z.string().regex(/^[^/\\#?%:\s][^/\\#?%:]{0,127}$/, 'must be 1–128 characters without / \\ # ? % : or a leading space');

export const runRefSchema = z.object({ entity: nameSchema, project: nameSchema, id: nameSchema });

const rangeSchema = z
  .tuple([z.number(), z.number()])
  .refine(([from, to]) => Number.isFinite(from) && Number.isFinite(to) && from <= to, 'must be [from, to] with finite from ≤ to');
const bucketsSchema = z.number().int().min(1).max(10_000);

export const seriesRequestSchema = z.object({
  // A run may carry its own range and bucket count, and may be listed more than once.
  runs: z
    .array(runRefSchema.extend({ range: rangeSchema.optional(), buckets: bucketsSchema.optional() }))
    .min(1)
    .max(1000),
  keys: z.array(z.string().min(1).max(512)).min(1).max(200),
  x: z.string().min(1).max(512).optional(),
  range: rangeSchema.optional(),
  buckets: bucketsSchema,
  format: z.enum(['json', 'binary']).optional(),
});

const tagSchema = z.string().min(1).max(64);

export const runEditSchema = z
  .object({
    name: z.string().max(256).nullable(),
    notes: z.string().max(100_000).nullable(),
    tags: z.array(tagSchema).max(1000),
    group: z.string().max(256).nullable(),
    jobType: z.string().max(256).nullable(),
  })
  .partial()
  .strict();

export const FILTER_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;

/** One `filter` condition of the runs list: a config or summary field compared with a value. */
export const runFilterSchema = z.array(
  z.object({
    field: z.string().regex(/^(config|summary)\./, 'must name config.<key> or summary.<key>'),
    op: z.enum(FILTER_OPS),
    value: z.unknown(),
  }),
);

export const ingestQuerySchema = z.object({
  writer: z.string().min(1).max(128),
  first: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/**
 * Parses `value` with `schema`, or throws CairnError('invalid_argument') naming what was
 * wrong and where, e.g. "series request: buckets: must be at most 10000".
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  throw new CairnError('invalid_argument', `${what}: ${problems.join('; ')}`);
}
