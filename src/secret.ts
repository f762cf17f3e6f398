/**
 * A secret value (token, SK, password) that cannot leak by accident: it prints, serialises and
 * inspects as `[redacted]`. Only `reveal()` gives the value, and only the code that puts it on
 * the wire calls it.
 */
const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
