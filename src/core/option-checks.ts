// Checking one option value, with the same error in every layer.
/** The error for an option with a value it cannot take, the same in every layer. */
export function invalidOption(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Broadcaster option "${name}" must be ${expected}, got ${JSON.stringify(value) ?? String(value)}.`);
}

/** Throws {@link invalidOption} unless `ok`. */
export function checkOption(name: string, ok: boolean, expected: string, value: unknown): void {
  if (!ok) throw invalidOption(name, expected, value);
}

export function isPositiveInteger(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

export function isWhole(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
