// The few platform globals protocol uses: present in every browser and in Node, but declared
// here so that protocol compiles against neither DOM nor Node typings (it must not use either).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}
