/** The default branch of a switch over every kind: a kind without a case is a compile error here. */
export function assertNever(value: never): never {
  throw new Error(`unhandled kind: ${JSON.stringify(value)}`);
}
