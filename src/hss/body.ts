/** Reading response bodies with a byte limit, so one huge answer cannot exhaust memory. */

/** Thrown when a body exceeds the limit; the reader stops at that point and destroys the stream. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

interface BodyStream extends AsyncIterable<Uint8Array | string> {
  destroy(error?: Error): void;
}

/**
 * Reads a body as UTF-8 text, at most `maxBytes`. A declared Content-Length over the limit fails
 * before reading anything.
 */
export async function readBodyLimited(
  body: BodyStream,
  maxBytes: number,
  contentLength?: string | string[] | undefined,
): Promise<string> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : Number.NaN;
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    throw new BodyTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    total += buf.length;
    if (total > maxBytes) {
      body.destroy();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
