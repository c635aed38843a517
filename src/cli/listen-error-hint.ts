/**
 * What to tell an operator when the server could not bind, or `undefined` when `error` is
 * not a listen failure. Node's own message names the errno (`listen EADDRINUSE: …`,
 * `getaddrinfo ENOTFOUND host`); the hint names the setting that fixes it, so nobody has
 * to read a stack trace.
 */
export function listenErrorHint(
  error: unknown,
  where: { port: number; host: string; settings: { port: string; host?: string } },
): string | undefined {
  const failure = error as (NodeJS.ErrnoException & { hostname?: unknown }) | undefined;
  const code = failure?.code;
  const setHost = where.settings.host === undefined ? "" : `; set ${where.settings.host}`;
  if (code === "EADDRINUSE") return `port ${where.port} is in use; set ${where.settings.port}`;
  if (code === "EACCES")
    return `port ${where.port} needs privileges this user lacks; set ${where.settings.port}`;
  if (code === "EADDRNOTAVAIL") return `${where.host} is not an address of this machine${setHost}`;
  // Listening on a name resolves it first; only a failure for this host is ours to word
  // (a database or Twilio host that does not resolve has its own message).
  if (failure?.syscall === "getaddrinfo" && failure.hostname === where.host)
    return `the host name ${where.host} does not resolve to an address${setHost}`;
  return undefined;
}
