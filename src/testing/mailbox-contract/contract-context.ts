import type { MailboxOptions, MailboxStore } from "../../mailbox/mailbox-store.js";
import type { ManualClock } from "./contract-fixtures.js";

/** What a mailbox implementation hands the contract suite for one test. */
export interface MailboxContractHarness {
  /** A fresh, empty store built with the options the suite passed. */
  store: MailboxStore;
  /**
   * Closes the current store and opens a new one over the same storage with the same
   * options (the durability checks).
   */
  reopen(): Promise<MailboxStore>;
  /** Closes whatever is open and removes the storage (temp file, schema…). Idempotent. */
  cleanup(): Promise<void>;
}

/**
 * Builds a harness. The suite always passes `now` (a manual clock it moves by hand),
 * `settleWindowMs` and `maxAttempts`; the implementation must honour them.
 */
export type MailboxContractFactory = (
  options: MailboxOptions & { now: () => number },
) => Promise<MailboxContractHarness>;

/** The state of the running test: a fresh store and its clock. */
export interface ContractState {
  store: MailboxStore;
  clock: ManualClock;
  harness: MailboxContractHarness;
}

/** Reads the current test's state (set up anew before each test). */
export type UseContract = () => ContractState;

/** The options the suite builds every store with, and the durations it uses. */
export const contractSettings = {
  settleWindowMs: 150,
  maxAttempts: 3,
  leaseMs: 10_000,
  day: 24 * 60 * 60 * 1000,
} as const;
