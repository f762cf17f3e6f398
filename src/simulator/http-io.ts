/** Node http plumbing: request bodies with a limit, headers as a record, writing replies. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSON_TYPE, type Reply } from './reply.js';

/** A fresh X-Request-Id: 32 lower-case hex characters. */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

/** The whole request body, or null when it exceeds `maxBytes` (the rest is drained). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) tooLarge = true;
    else chunks.push(b);
  }
  return tooLarge ? null : Buffer.concat(chunks);
}

/** Lower-case header name → value (repeated headers joined with ', ', as Node does). */
export function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The bytes a reply sends: strings as they are, anything else as JSON. */
export function replyPayload(reply: Reply): Buffer {
  return Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
}

/** Writes a reply completely. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  const payload = replyPayload(reply);
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType ?? JSON_TYPE,
    'Content-Length': payload.length,
  });
  res.end(payload);
}

/** 200 with the first half of the JSON (Content-Length matches the cut: the body is complete but invalid). */
export function writeTruncated(res: ServerResponse, reply: Reply): void {
  const payload = replyPayload(reply);
  const cut = payload.subarray(0, Math.floor(payload.length / 2));
  res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, 'Content-Length': cut.length });
  res.end(cut);
}

/** Announces the full length, sends half the body, then destroys the socket. */
export function writeThenReset(res: ServerResponse, reply: Reply): void {
  const payload = replyPayload(reply);
  res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, 'Content-Length': payload.length });
  res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => {
    res.socket?.destroy();
  });
}

/**
 * Announces the full length and sends the body in 10 pieces spread over `totalMs` (real time),
 * so a client's body timeout or request deadline can run out. Stops when the client goes away.
 */
export function writeSlowly(res: ServerResponse, reply: Reply, totalMs: number): void {
  const payload = replyPayload(reply);
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType ?? JSON_TYPE,
    'Content-Length': payload.length,
  });
  const pieces = 10;
  const size = Math.ceil(payload.length / pieces);
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) {
      clearInterval(timer);
      return;
    }
    const chunk = payload.subarray(i * size, (i + 1) * size);
    i++;
    if (i >= pieces) {
      clearInterval(timer);
      res.end(chunk);
    } else res.write(chunk);
  }, totalMs / pieces);
  timer.unref();
  res.on('close', () => clearInterval(timer));
}
