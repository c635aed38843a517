/** An error as one short line for logs and stored reasons: its stable code (when it has one) and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = typeof code === "string" ? `${code}: ${error.message}` : error.message;
    return text.slice(0, 1000);
  }
  return String(error).slice(0, 1000);
}
