import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./keyed-mutex.js";

describe("KeyedMutex", () => {
  it("runs work on one key one at a time, in arrival order, and forgets idle keys", async () => {
    const mutex = new KeyedMutex();
    const steps: string[] = [];
    let releaseFirst!: () => void;
    const first = mutex.run(["a"], async () => {
      steps.push("first starts");
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      steps.push("first ends");
    });
    const second = mutex.run(["a"], async () => {
      steps.push("second runs");
    });
    const other = mutex.run(["b"], async () => {
      steps.push("other key runs");
    });
    await other;
    expect(steps).toEqual(["first starts", "other key runs"]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(steps).toEqual(["first starts", "other key runs", "first ends", "second runs"]);
    expect(mutex.size).toBe(0);
  });

  it("takes overlapping key sets without deadlock and releases after a failure", async () => {
    const mutex = new KeyedMutex();
    const results = await Promise.allSettled([
      mutex.run(["x", "y"], async () => "xy"),
      mutex.run(["y", "x"], async () => {
        throw new Error("failed inside");
      }),
      mutex.run(["y"], async () => "y"),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(mutex.size).toBe(0);
  });
});
