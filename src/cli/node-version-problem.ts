/** The oldest Node.js major version switchboard runs on (`engines.node` in package.json). */
export const minimumNodeMajor = 22;

/**
 * Why this Node.js cannot run switchboard, as one line for the terminal, or `undefined`
 * when it can. Node 20 starts and then fails in odd places (no `require(esm)`, no type
 * stripping for `switchboard.config.ts`), so the CLI refuses it up front instead.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= minimumNodeMajor) return undefined;
  return `switchboard needs Node.js ${minimumNodeMajor} or newer; this is Node.js ${version.replace(/^v?/, "v")}. Install Node.js ${minimumNodeMajor} (nodejs.org, or nvm install ${minimumNodeMajor}) and run it again.`;
}
