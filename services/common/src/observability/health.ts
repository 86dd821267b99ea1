/**
 * Readiness is the AND of named checks that components flip as they connect,
 * degrade and recover; liveness only says the event loop answers.
 */
export class Health {
  private readonly checks = new Map<string, { ok: boolean; detail: string }>();

  set(name: string, ok: boolean, detail = ''): void {
    this.checks.set(name, { ok, detail });
  }

  get ready(): boolean {
    if (this.checks.size === 0) return false;
    for (const c of this.checks.values()) if (!c.ok) return false;
    return true;
  }

  snapshot(): Record<string, { ok: boolean; detail: string }> {
    return Object.fromEntries(this.checks);
  }
}
