import { createService, type Service } from "./create-service.js";
import type { ServiceOptions } from "./service-options.js";

/** A listening service, as the CLI faces print it. */
export interface RunningService {
  url: string;
  port: number;
  /** The token the console asks for, when one is required. */
  consoleToken: string | undefined;
  /** Whether `consoleToken` was generated (and should be printed). */
  consoleTokenGenerated: boolean;
  /** Where a generated console token is kept. */
  consoleTokenStoredIn: string | undefined;
  service: Service;
  /** Stops taking requests, drains turns, stops the providers, closes the mailbox. */
  close(): Promise<void>;
}

/**
 * {@link createService}, then `listen()` on the options' host and port; a failure to listen
 * or start (port taken, wrong credentials) closes everything opened before rejecting.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const service = await createService(options);
  let address: { url: string; port: number };
  try {
    address = await service.listen();
  } catch (error) {
    await service.close().catch(() => {});
    throw error;
  }
  return {
    ...address,
    consoleToken: service.consoleToken,
    consoleTokenGenerated: service.consoleTokenGenerated,
    consoleTokenStoredIn: service.consoleTokenStoredIn,
    service,
    close: () => service.close(),
  };
}
