/**
 * The little the database layer logs. A pino Logger satisfies it; tests pass a stub.
 * Messages come second (pino order: fields first, then the message).
 */
export interface DbLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** A logger that drops everything: the default when none is passed. */
export const silentDbLogger: DbLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
