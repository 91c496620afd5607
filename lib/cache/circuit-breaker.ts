/** `closed`: Redis is used. `open`: Redis is skipped. `half-open`: one probe is testing whether it is back. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Guards every Redis call of the cache. After `failureThreshold` consecutive
 * failures it opens and every guarded call answers its fallback at once, so an
 * outage costs callers nothing but the L2 tier; after `cooldownMs` one call is let
 * through as a probe, and its success closes the circuit again by itself.
 */
export class CircuitBreaker {
  state: CircuitState = 'closed';
  opens = 0;
  private failures = 0;
  private openedAt = 0;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly onChange: (state: CircuitState) => void = () => {},
  ) {}

  /** Whether a call may go to Redis now; moves an open circuit past its cooldown to half-open (one probe). */
  allows(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && Date.now() - this.openedAt >= this.cooldownMs) {
      this.set('half-open');
      return true;
    }
    return false;
  }

  succeeded(): void {
    this.failures = 0;
    if (this.state !== 'closed') this.set('closed');
  }

  failed(): void {
    this.failures += 1;
    if (this.state === 'half-open' || (this.state === 'closed' && this.failures >= this.failureThreshold)) {
      this.openedAt = Date.now();
      this.opens += this.state === 'closed' ? 1 : 0;
      this.set('open');
    }
  }

  private set(state: CircuitState): void {
    this.state = state;
    this.onChange(state);
  }
}
