import registryPkg from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { ConfigOf } from '../config/settings.js';
import type { registrySettings } from '../config/common-settings.js';
import { withRetry } from '../lifecycle/retry.js';

const { SchemaRegistry, SchemaType, COMPATIBILITY } = registryPkg;

export type RegistryConfig = ConfigOf<typeof registrySettings>;

export class RegistryUnreachableError extends Error {
  override name = 'RegistryUnreachableError';
}

export class UnknownSchemaIdError extends Error {
  override name = 'UnknownSchemaIdError';
  constructor(readonly schemaId: number, cause: unknown) {
    super(`schema id ${schemaId} is not in the registry: ${(cause as Error)?.message ?? cause}`);
  }
}

function httpStatus(err: unknown): number | undefined {
  const e = err as { status?: number; response?: { status?: () => number } } | undefined;
  return e?.status ?? e?.response?.status?.();
}

const NETWORK_ERROR = /ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|socket hang up|fetch failed/i;

/**
 * Network failures and 5xx are worth retrying; any other 4xx means the registry
 * answered and said no. (mappersmith reports a refused connection as status
 * 400, so the message decides first.)
 */
function isTransient(err: unknown): boolean {
  // Two services registering a new subject at once: the loser's "set compatibility" collides with the
  // winner's (Apicurio answers 409). Registering again finds the subject and just checks its config.
  if (/rule named 'COMPATIBILITY' already exists/i.test((err as Error)?.message ?? '')) return true;
  if (NETWORK_ERROR.test(`${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`)) return true;
  const status = httpStatus(err);
  return status === undefined || status >= 500;
}

/**
 * Subjects follow TopicNameStrategy (`<topic>-value`) with BACKWARD
 * compatibility. Registering an unchanged schema returns its existing id, so
 * every service can register at start without coordinating.
 */
export class SchemaRegistryClient {
  private readonly client: InstanceType<typeof SchemaRegistry>;
  private readonly types = new Map<number, Promise<avsc.Type>>();
  /** Ids of the schemas this client registered, by subject and schema text. */
  private readonly registered = new Map<string, Promise<number>>();

  constructor(private readonly cfg: RegistryConfig) {
    this.client = new SchemaRegistry({
      host: cfg.registryUrl,
      ...(cfg.registryUsername ? { auth: { username: cfg.registryUsername, password: cfg.registryPassword ?? '' } } : {}),
      retry: { retries: 0 },
    });
  }

  private retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { timeoutMs: this.cfg.registryTimeoutMs, retryable: isTransient }).catch((err: unknown) => {
      if (isTransient(err)) {
        throw new RegistryUnreachableError(
          `schema registry unreachable at ${this.cfg.registryUrl} for ${this.cfg.registryTimeoutMs} ms while ${what} (SCHEMA_REGISTRY_URL): ${(err as Error).message}`,
        );
      }
      throw err;
    });
  }

  /**
   * Registers (or finds) the schema under `subject`; returns its global id.
   * Asked again for the same subject and schema, answers from memory: a
   * service registers at start what its pipeline bootstrap just registered.
   * A failed registration is not remembered.
   */
  register(subject: string, schema: Record<string, unknown>): Promise<number> {
    const text = JSON.stringify(schema);
    const key = `${subject}\n${text}`;
    let id = this.registered.get(key);
    if (id === undefined) {
      id = this.retrying(`registering ${subject}`, () =>
        this.client.register({ type: SchemaType.AVRO, schema: text }, { subject, compatibility: COMPATIBILITY.BACKWARD }),
      ).then((r) => {
        this.types.set(r.id, Promise.resolve(avsc.Type.forSchema(schema as avsc.Schema)));
        return r.id;
      });
      this.registered.set(key, id);
      id.catch(() => this.registered.delete(key));
    }
    return id;
  }

  /** The writer type of a schema id, fetched once and cached. */
  writerType(id: number): Promise<avsc.Type> {
    let t = this.types.get(id);
    if (!t) {
      // Fetched over REST rather than through the client library, whose avsc copy yields Types this module's avsc cannot use.
      t = this.retrying(`fetching schema id ${id}`, async () => {
        const res = await this.request('GET', `/schemas/ids/${id}`);
        if (res.status !== 200) throw Object.assign(new Error(`GET /schemas/ids/${id}: ${res.status} ${JSON.stringify(res.json)}`), { status: res.status });
        return (res.json as { schema: string }).schema;
      })
        .then((schema) => avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema))
        .catch((err: unknown) => {
          this.types.delete(id); // a transient failure must not poison the cache
          if (!isTransient(err)) throw new UnknownSchemaIdError(id, err);
          throw err;
        });
      this.types.set(id, t);
    }
    return t;
  }

  /** Raw REST call, for what the client library does not expose. */
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
    if (this.cfg.registryUsername) {
      headers.authorization = 'Basic ' + Buffer.from(`${this.cfg.registryUsername}:${this.cfg.registryPassword ?? ''}`).toString('base64');
    }
    const res = await fetch(this.cfg.registryUrl.replace(/\/$/, '') + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text; // an error page, kept for the message
    }
    return { status: res.status, json };
  }
}
