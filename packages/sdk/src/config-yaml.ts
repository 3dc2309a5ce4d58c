/**
 * The run directory's `files/config.yaml`. Every top-level key is wrapped as `key: { value: … }`
 * (the modern reference shape, without `desc`) under a `cairn_version: 1` line, so a Python
 * reader and a Cairn reader both see the same values.
 */
import { readFileSync } from 'node:fs';
import { CairnError, isPlainObject } from '@cairn/protocol';
import { Document, parse, visit } from 'yaml';

/** Version of the config.yaml format this SDK writes and reads. */
export const CONFIG_YAML_VERSION = 1;

/** Top-level keys that mark the format version; they can never be config keys. */
export const CONFIG_VERSION_KEYS: readonly string[] = ['cairn_version', 'wandb_version'];

/** Internal blocks added by the writer, never loaded back into a run's config. */
const INTERNAL_KEYS: readonly string[] = ['_cairn', '_wandb'];

/**
 * Formats a config as config.yaml: the version line, a blank line, then each key (sorted)
 * wrapped as `value:` in block style. An empty config is only the version line.
 *
 * @example
 * formatConfigYaml({ lr: 0.01 }); // "cairn_version: 1\n\nlr:\n  value: 0.01\n"
 */
export function formatConfigYaml(config: Record<string, unknown>): string {
  const header = `cairn_version: ${CONFIG_YAML_VERSION}\n`;
  const keys = Object.keys(config).sort();
  if (keys.length === 0) return header;
  const reserved = keys.find((key) => CONFIG_VERSION_KEYS.includes(key));
  if (reserved !== undefined) {
    throw new CairnError('invalid_argument', `'${reserved}' is reserved for the config.yaml version line and cannot be a config key`);
  }
  const wrapped: Record<string, unknown> = {};
  for (const key of keys) {
    Object.defineProperty(wrapped, key, { value: { value: config[key] }, enumerable: true, writable: true, configurable: true });
  }
  const document = new Document(wrapped, { sortMapEntries: true });
  // Python readers use YAML 1.1, where a plain `yes`, `on` or `1_000` is not a string:
  // quote every string that 1.1 would read as something else, so both readers agree.
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && yaml11ReadsAsNonString(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  // lineWidth 0: long strings are never folded, so the file stays easy to diff.
  return `${header}\n${document.toString({ lineWidth: 0, indent: 2 })}`;
}

/**
 * Parses config.yaml text back into a plain config object. Accepts Cairn's file, a
 * reference `wandb_version: 1` file (with or without `desc`), and a plain YAML mapping.
 * `source` names the file in error messages.
 *
 * Values shaped exactly `{ value }` or `{ desc, value }` are unwrapped, others are kept as
 * they are; `_cairn` / `_wandb` are dropped. Reads YAML 1.2, so `1e-3` is a number.
 */
export function parseConfigYaml(text: string, source = 'config YAML'): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CairnError('usage', `could not parse config file '${source}': ${reason}`);
  }
  // An empty file holds no keys.
  if (document === null || document === undefined) return {};
  if (!isPlainObject(document)) {
    const got = Array.isArray(document) ? 'a list' : `a ${typeof document}`;
    throw new CairnError('usage', `config file '${source}' must hold a YAML mapping of keys to values, got ${got}`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(document)) {
    if (CONFIG_VERSION_KEYS.includes(key)) {
      if (entry !== CONFIG_YAML_VERSION) {
        throw new CairnError(
          'usage',
          `config file '${source}' has ${key}: ${String(entry)}; this version of Cairn reads only version ${CONFIG_YAML_VERSION}`,
        );
      }
      continue;
    }
    if (INTERNAL_KEYS.includes(key)) continue;
    Object.defineProperty(config, key, { value: unwrapEntry(entry), enumerable: true, writable: true, configurable: true });
  }
  return config;
}

/** Reads and parses a config.yaml-format file; a missing or unreadable file is a usage error. */
export function readConfigYamlFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CairnError('usage', `could not read config file '${path}': ${reason}`);
  }
  return parseConfigYaml(text, path);
}

function yaml11ReadsAsNonString(text: string): boolean {
  // Multi-line text is written as a block scalar, which every reader takes as a string.
  if (text.includes('\n')) return false;
  try {
    return typeof parse(text, { version: '1.1', logLevel: 'silent' }) !== 'string';
  } catch {
    // Not valid YAML on its own: the 1.2 writer quotes it anyway.
    return false;
  }
}

function unwrapEntry(entry: unknown): unknown {
  if (!isPlainObject(entry) || !Object.hasOwn(entry, 'value')) return entry;
  const keys = Object.keys(entry);
  const wrapped = keys.every((key) => key === 'value' || key === 'desc');
  return wrapped ? entry['value'] : entry;
}
