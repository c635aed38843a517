/**
 * What to tell an operator when the server could not bind, or `undefined` when `error` is
 * not a listen failure. Node's own message names the errno (`listen EADDRINUSE: …`); the
 * hint names the setting that fixes it, so nobody has to read a stack trace.
 */
export function listenErrorHint(
  error: unknown,
  where: { port: number; host: string; settings: { port: string; host?: string } },
): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") return `port ${where.port} is in use; set ${where.settings.port}`;
  if (code === "EACCES")
    return `port ${where.port} needs privileges this user lacks; set ${where.settings.port}`;
  if (code === "EADDRNOTAVAIL")
    return `${where.host} is not an address of this machine${
      where.settings.host === undefined ? "" : `; set ${where.settings.host}`
    }`;
  return undefined;
}
