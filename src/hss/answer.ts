/**
 * What one HSS answer means: usable JSON, or a typed failure with its retry class (retry.ts),
 * carrying status, Huawei error_code and error_msg, and the request id. Pure.
 */
import {
  HssApiError,
  HssAuthError,
  HssBadResponseError,
  type HssErrorContext,
  HssThrottledError,
} from '../errors.js';
import { replaceNul } from '../text.js';
import { classifyOutcome, normalizeErrorCode, parseRetryAfter, type RetryClass } from './retry.js';
import { header, type RawResponse } from './transport.js';

/** A usable answer. */
export interface HssResponse {
  status: number;
  json: unknown;
  requestId: string | null;
}

/** `HssApiError`-style message that also names method and path. */
export function describeCall(ctx: HssErrorContext): string {
  const parts = [ctx.api, ctx.path];
  if (ctx.status !== undefined) parts.push(`HTTP ${ctx.status}`);
  if (ctx.errorCode) parts.push(ctx.errorCode);
  if (ctx.errorMsg) parts.push(JSON.stringify(ctx.errorMsg.slice(0, 300)));
  if (ctx.requestId) parts.push(`request_id=${ctx.requestId}`);
  return parts.join(' ');
}

interface ErrorBody {
  errorCode: string | null;
  errorMsg: string | null;
  requestId: string | null;
}

/**
 * Huawei's error code, message and request id from an error answer; nulls when absent or not
 * JSON. Two forms are read: the flat `{error_code, error_msg, request_id}` (API Gateway and most
 * services) and the nested `{"error": {code, message, request_id}}` some services answer with; a
 * flat field wins over its nested counterpart. These end up in error messages, logs and the run
 * ledger: the NUL policy applies (text.ts).
 */
export function parseErrorBody(text: string): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { errorCode: null, errorMsg: null, requestId: null };
  }
  const o = asObject(json);
  const nested = asObject(o.error);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? replaceNul(v.slice(0, 1000)) : null);
  return {
    errorCode: normalizeErrorCode(str(o.error_code) ?? str(nested.code)),
    errorMsg: str(o.error_msg) ?? str(nested.message),
    requestId: str(o.request_id) ?? str(nested.request_id),
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The X-Request-Id of an answer (NUL policy applied, like every upstream string). */
function requestIdOf(res: RawResponse): string | null {
  const id = header(res.headers, 'x-request-id');
  return id === null ? null : replaceNul(id.slice(0, 1000));
}

/** A short description of a body that is not JSON, without echoing it (it may be a whole HTML page). */
function notJsonProblem(res: RawResponse): string {
  const type = header(res.headers, 'content-type') ?? 'no content-type';
  const start = res.text.trimStart();
  if (start === '') return `empty body (${type})`;
  if (start.startsWith('<')) return `body is HTML or XML, not JSON (${type})`;
  return `body is not valid JSON (truncated or malformed, ${res.text.length} chars, ${type})`;
}

export type AttemptResult =
  | { ok: true; response: HssResponse }
  | {
      ok: false;
      failure: HssApiError;
      cls: RetryClass;
      /** The raw answer, when one came. */
      res: RawResponse | null;
      retryAfterMs: number | null;
    };

/** Classifies one raw answer: usable JSON, or a typed failure with its retry class. */
export function interpret(res: RawResponse, base: HssErrorContext, nowMs: number): AttemptResult {
  if (res.status >= 200 && res.status < 300) {
    const requestId = requestIdOf(res);
    try {
      return { ok: true, response: { status: res.status, json: JSON.parse(res.text), requestId } };
    } catch (err) {
      const failure = new HssBadResponseError(
        { ...base, status: res.status, requestId },
        `${base.path}: ${notJsonProblem(res)}`,
        { cause: err },
      );
      return { ok: false, failure, cls: classifyOutcome({ kind: 'bad_body' }), res, retryAfterMs: null };
    }
  }
  const body = parseErrorBody(res.text);
  const ctx: HssErrorContext = {
    ...base,
    status: res.status,
    errorCode: body.errorCode ?? undefined,
    errorMsg: body.errorMsg ?? undefined,
    requestId: requestIdOf(res) ?? body.requestId,
  };
  const cls = classifyOutcome({ kind: 'http', status: res.status, errorCode: body.errorCode });
  if (cls === 'throttled') {
    const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'), nowMs);
    return { ok: false, failure: new HssThrottledError(ctx, retryAfterMs), cls, res, retryAfterMs };
  }
  const failure =
    cls === 'auth'
      ? new HssAuthError(ctx, { message: describeCall(ctx) })
      : new HssApiError(ctx, { message: describeCall(ctx) });
  return { ok: false, failure, cls, res, retryAfterMs: null };
}
