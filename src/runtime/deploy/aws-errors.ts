/** True when `error` is an AWS SDK service error with one of the given names (error codes). */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: unknown }).Code;
  return names.includes(error.name) || (typeof code === "string" && names.includes(code));
}

/** "ErrorName: message", the way operators search for AWS errors. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const first = error.message.split("\n")[0] ?? "";
  return error.name && error.name !== "Error" ? `${error.name}: ${first}` : first;
}

/** Runs `read` and returns undefined when AWS answers that the resource does not exist. */
export async function readOrUndefined<T>(
  read: () => Promise<T>,
  ...notFound: string[]
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isAwsError(error, ...notFound)) return undefined;
    throw error;
  }
}
