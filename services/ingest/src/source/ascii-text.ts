// Text of a field read from the file's bytes, for the rare fields the fast
// byte parsers leave to the string parsers. Decoding stops at the first
// non-ASCII byte: no date or number of this format has one.

const ASCII_LIMIT = 0x80;

/** The ASCII text in bytes [from, to) of `data`; undefined when a byte is not ASCII. */
export function asciiText(data: Uint8Array, from: number, to: number): string | undefined {
  let text = '';
  for (let i = from; i < to; i++) {
    const b = data[i] as number;
    if (b >= ASCII_LIMIT) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}
