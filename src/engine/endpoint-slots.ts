/**
 * Requests in flight to each endpoint from this process. A claim may lease an endpoint's
 * deliveries ahead of its cap (ClaimRequest.leaseAhead); those wait here, in claim order, and
 * each starts the moment one of the endpoint's requests ends, instead of after that request's
 * record and the next claim have committed.
 */
export class EndpointSlots {
  readonly #byEndpoint = new Map<string, { tenantId: string; active: number; cap: number; waiting: Array<(go: boolean) => void> }>();

  /**
   * Takes a slot of the endpoint: true at once while fewer than `cap` of its requests are in
   * flight, else a promise of true when one ends (false when `dropWaiting` let it go).
   */
  take(endpointId: string, tenantId: string, cap: number): true | Promise<boolean> {
    let slots = this.#byEndpoint.get(endpointId);
    if (!slots) this.#byEndpoint.set(endpointId, (slots = { tenantId, active: 0, cap, waiting: [] }));
    // The latest claim's endpoint row has the endpoint's current cap.
    slots.cap = cap;
    if (slots.active < cap) {
      slots.active += 1;
      return true;
    }
    return new Promise((resolve) => slots.waiting.push(resolve));
  }

  /** Whether a request to the endpoint is in flight or waits for a slot. */
  busy(endpointId: string): boolean {
    return this.#byEndpoint.has(endpointId);
  }

  /** A request to the endpoint ended: the next one waiting, if any, goes in its slot. */
  release(endpointId: string): void {
    const slots = this.#byEndpoint.get(endpointId);
    if (!slots) return;
    slots.active -= 1;
    while (slots.active < slots.cap && slots.waiting.length > 0) {
      slots.active += 1;
      slots.waiting.shift()!(true);
    }
    if (slots.active === 0 && slots.waiting.length === 0) this.#byEndpoint.delete(endpointId);
  }

  /** Lets go of what waits for the slots of the endpoints chosen (all by default): its takers hear false. */
  dropWaiting(chosen: (endpointId: string, tenantId: string) => boolean = () => true): void {
    for (const [endpointId, slots] of this.#byEndpoint) {
      if (chosen(endpointId, slots.tenantId)) slots.waiting.splice(0).forEach((resolve) => resolve(false));
    }
  }
}
