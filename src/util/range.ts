/**
 * The stages pass byte ranges as (buffer, start, end) and build a Buffer only when a
 * consumer asks for one (decode/ `payload`, tcp/ `bytes`, capture/ `data`): this is
 * that Buffer. `buf` itself when the range is all of it (no object made), else a view
 * (Buffer#subarray: no copy), borrowed exactly as `buf` is.
 */
export function rangeView(buf: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === buf.length ? buf : buf.subarray(start, end);
}
