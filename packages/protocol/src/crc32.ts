/** CRC-32 (IEEE 802.3, the zlib polynomial) in plain JavaScript, for runtimes without zlib. */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

const utf8 = new TextEncoder();

/** CRC-32 of bytes, or of a string's UTF-8 encoding; the same value as zlib's crc32. */
export function crc32(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
