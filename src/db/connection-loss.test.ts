import { describe, expect, it } from 'vitest';
import { DbError } from '../errors.js';
import { isConnectionLoss } from './connection-loss.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionLoss', () => {
  it('knows the connection SQLSTATEs: class 08 and 57P01–57P03', () => {
    for (const code of ['08000', '08003', '08006', '08001', '08P01', '57P01', '57P02', '57P03']) {
      expect(isConnectionLoss(withCode(code)), code).toBe(true);
    }
    for (const code of ['40001', '40P01', '23505', '57014', '42P01']) {
      expect(isConnectionLoss(withCode(code)), code).toBe(false);
    }
  });

  it('knows socket errors and the messages node-postgres throws without a code', () => {
    expect(isConnectionLoss(withCode('ECONNRESET'))).toBe(true);
    expect(isConnectionLoss(withCode('ECONNREFUSED'))).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isConnectionLoss(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    expect(isConnectionLoss(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectionLoss(new Error('relation "x" does not exist'))).toBe(false);
    expect(isConnectionLoss(null)).toBe(false);
    expect(isConnectionLoss('Connection terminated')).toBe(false);
  });

  it('looks through the cause chain (a DbError around the pg error)', () => {
    const wrapped = new DbError('writeImageResults failed', { cause: withCode('57P01') });
    expect(isConnectionLoss(wrapped)).toBe(true);
    expect(isConnectionLoss(new DbError('finishRun failed: no run x'))).toBe(false);
  });
});
