import { describe, expect, it } from "vitest";
import { devFlags, devUsage } from "./dev-command.js";
import { serveFlags, serveUsage } from "./serve-command.js";

/** Every flag a command accepts is in its help: README points readers at `--help`. */
describe.each([
  ["dev", devFlags, devUsage],
  ["serve", serveFlags, serveUsage],
])("switchboard %s --help", (_, flags, usage) => {
  it.each(Object.keys(flags))("shows --%s on its usage line and explains it", (flag) => {
    const [synopsis, ...explanation] = usage.split(/\n(?! )/);
    expect(synopsis).toContain(`--${flag}`);
    expect(explanation.join("\n")).toContain(`--${flag}`);
  });
});
