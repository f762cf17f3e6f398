/**
 * What a handler answers, before the server writes it (and before faults bend it), and the
 * documented error bodies.
 */

export interface Reply {
  status: number;
  /** JSON-serialisable body, or a string sent as is with `contentType`. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

/**
 * The answer of a filter no row can match (an unknown value of a documented filter, an
 * image_type outside the API's range). A fresh object each time: the server bends answers.
 */
export function emptyPage(): Reply {
  return { status: 200, body: { total_num: 0, data_list: [] } };
}

/** An HSS error (`{error_code, error_msg}`). */
export function hssError(status: number, errorCode: string, errorMsg: string): Reply {
  return { status, body: { error_code: errorCode, error_msg: errorMsg } };
}

/** A gateway (APIGW) error: like an HSS error plus `request_id`. */
export function gatewayError(status: number, errorCode: string, errorMsg: string, requestId: string): Reply {
  return { status, body: { error_code: errorCode, error_msg: errorMsg, request_id: requestId } };
}

/** 400 HSS.0001 for a parameter outside its documented rule. */
export function invalidParam(name: string, rule: string): Reply {
  return hssError(400, 'HSS.0001', `Invalid parameter ${name}: ${rule}`);
}

/** The 404 of an unknown path or method. */
export function noSuchApi(requestId: string): Reply {
  return gatewayError(
    404,
    'APIGW.0101',
    'The API does not exist or has not been published in the environment',
    requestId,
  );
}
