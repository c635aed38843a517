import { describe, expect, it } from "vitest";
import { StreamOverflowError } from "../errors.js";
import { BoundedStream } from "./bounded-stream.js";

function stream(capacity = 3) {
  let ended = 0;
  const created = new BoundedStream<number>(capacity, () => {
    ended += 1;
  });
  return { stream: created, ended: () => ended };
}

describe("BoundedStream", () => {
  it("delivers pushed items in order, to a waiting consumer too", async () => {
    const { stream: numbers } = stream();
    const waiting = numbers.next();
    numbers.push(1);
    numbers.push(2);
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await numbers.next()).toEqual({ value: 2, done: false });
  });

  it("on overflow discards the buffer, counts every later item, and reports the total once", async () => {
    const { stream: numbers, ended } = stream(2);
    for (let item = 1; item <= 6; item += 1) numbers.push(item);
    expect(ended()).toBe(0);
    const error = await numbers.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamOverflowError);
    // Two buffered + the one that did not fit + three more.
    expect((error as StreamOverflowError).missed).toBe(6);
    expect((error as Error).message).toContain("6");
    expect(ended()).toBe(1);
    expect(await numbers.next()).toEqual({ value: undefined, done: true });
    numbers.push(7);
    expect(await numbers.next()).toEqual({ value: undefined, done: true });
  });

  it("end() drains what is buffered, then finishes; end(false) finishes at once", async () => {
    const { stream: drained, ended } = stream();
    drained.push(1);
    drained.end();
    expect(ended()).toBe(1);
    drained.push(2);
    expect(await drained.next()).toEqual({ value: 1, done: false });
    expect(await drained.next()).toEqual({ value: undefined, done: true });

    const { stream: cut } = stream();
    cut.push(1);
    const pending = cut.next();
    cut.end(false);
    expect(await pending).toEqual({ value: 1, done: false });
    cut.push(2);
    expect(await cut.next()).toEqual({ value: undefined, done: true });
  });

  it("still reports an overflow when ended by stop, not when aborted", async () => {
    const { stream: stopped } = stream(1);
    stopped.push(1);
    stopped.push(2);
    stopped.end();
    await expect(stopped.next()).rejects.toMatchObject({ missed: 2 });

    const { stream: aborted } = stream(1);
    aborted.push(1);
    aborted.push(2);
    aborted.end(false);
    expect(await aborted.next()).toEqual({ value: undefined, done: true });
  });

  it("wakes a waiting consumer when ended or failed", async () => {
    const { stream: numbers } = stream();
    const waiting = numbers.next();
    numbers.end();
    expect(await waiting).toEqual({ value: undefined, done: true });

    const { stream: failing } = stream();
    const failed = failing.next();
    failing.fail(new Error("boom"));
    await expect(failed).rejects.toThrow("boom");
  });

  it("detaches when the consumer breaks out of for-await", async () => {
    const { stream: numbers, ended } = stream();
    numbers.push(1);
    numbers.push(2);
    for await (const value of numbers) {
      expect(value).toBe(1);
      break;
    }
    expect(ended()).toBe(1);
  });

  it("refuses a second next() while one is pending, and a bad capacity", async () => {
    const { stream: numbers } = stream();
    void numbers.next();
    await expect(numbers.next()).rejects.toThrow(/before the previous one settled/);
    expect(() => new BoundedStream(0, () => {})).toThrow(RangeError);
    expect(() => new BoundedStream(1.5, () => {})).toThrow(RangeError);
  });
});
