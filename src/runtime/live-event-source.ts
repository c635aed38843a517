import type { LiveEventSource } from "../runtime/live-events.js";
import type { SwitchboardEventMap, SwitchboardEventName } from "../runtime/switchboard-events.js";

/** The subscribe half of `switchboard.events`, which the faces' adapters need. */
export interface FaceEventSource {
  on<Name extends SwitchboardEventName>(
    name: Name,
    listener: (event: SwitchboardEventMap[Name]) => void,
  ): () => void;
}

/**
 * The live events of every instance (`switchboard.live`) seen as an event source by name,
 * so a web chat stream or console held by one instance shows the typing indicator and the
 * replies of another instance sharing the PostgreSQL mailbox.
 */
export function liveEventSource(live: LiveEventSource): FaceEventSource {
  return {
    on(name, listener) {
      return live.subscribe((live) => {
        if (live.name === name) listener(live.event as SwitchboardEventMap[typeof name]);
      });
    },
  };
}
