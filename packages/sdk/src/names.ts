/** Generated run ids and display names. */
import { randomBytes } from 'node:crypto';

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A run id: 8 random characters from [0-9a-z] (the reference's shape). */
export function generateRunId(length = 8): string {
  const bytes = randomBytes(length * 2);
  let id = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 36).
  for (let i = 0; i < bytes.length && id.length < length; i++) {
    const b = bytes[i]!;
    if (b < 252) id += ID_ALPHABET[b % 36];
  }
  return id.length === length ? id : generateRunId(length);
}

const ADJECTIVES = [
  'amber', 'ancient', 'bold', 'brisk', 'calm', 'cedar', 'clear', 'cobalt', 'crisp', 'dawn',
  'deep', 'dusky', 'eager', 'fair', 'fleet', 'frosty', 'gentle', 'golden', 'grand', 'hardy',
  'hidden', 'jade', 'keen', 'lively', 'lofty', 'lunar', 'mellow', 'misty', 'noble', 'quiet',
  'rapid', 'rugged', 'sage', 'scarlet', 'silent', 'silver', 'solar', 'stark', 'steady', 'swift',
  'tidal', 'vivid', 'wandering', 'wild', 'windy', 'woven',
];
const NOUNS = [
  'basin', 'boulder', 'brook', 'butte', 'canyon', 'cliff', 'col', 'cove', 'crag', 'delta',
  'dune', 'fjord', 'gorge', 'glacier', 'grove', 'harbor', 'heath', 'knoll', 'lagoon', 'ledge',
  'marsh', 'meadow', 'mesa', 'moraine', 'pass', 'peak', 'pine', 'plateau', 'ravine', 'ridge',
  'river', 'scree', 'shore', 'slope', 'spire', 'spring', 'summit', 'tarn', 'trail', 'tundra',
  'valley', 'vista',
];

/** A display name `adjective-noun-N`; N is the run's number in its local directory. */
export function generateRunName(ordinal: number): string {
  const bytes = randomBytes(2);
  return `${ADJECTIVES[bytes[0]! % ADJECTIVES.length]}-${NOUNS[bytes[1]! % NOUNS.length]}-${ordinal}`;
}
