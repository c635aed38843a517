/**
 * Cleanup steps run last-in first-out — the one place the service undoes what it opened,
 * whether construction failed half-way or `close()` was called. A failing step does not
 * stop the others; the first error is rethrown once all have run.
 */
export class DisposalStack {
  readonly #steps: (() => unknown)[] = [];
  #disposing: Promise<void> | undefined;

  /** Registers a step to run at disposal, before every step registered earlier. */
  defer(step: () => unknown): void {
    if (this.#disposing !== undefined) throw new Error("DisposalStack already disposed");
    this.#steps.push(step);
  }

  /** Runs every step once, newest first; later calls return the same promise. */
  dispose(): Promise<void> {
    this.#disposing ??= (async () => {
      let failure: { error: unknown } | undefined;
      for (const step of this.#steps.splice(0).reverse()) {
        try {
          await step();
        } catch (error) {
          failure ??= { error };
        }
      }
      if (failure !== undefined) throw failure.error;
    })();
    return this.#disposing;
  }
}
