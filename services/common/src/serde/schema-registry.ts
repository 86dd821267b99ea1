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

/** The registry answered 401/403: the credentials are wrong or missing; retrying cannot help. */
export class RegistryRefusedError extends Error {
  override name = 'RegistryRefusedError';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** One sentence naming the settings to check; never the password. */
export function registryRefusal(cfg: Pick<RegistryConfig, 'registryUrl' | 'registryUsername'>, status: number, what: string): string {
  const who = cfg.registryUsername
    ? `refused user ${JSON.stringify(cfg.registryUsername)}`
    : 'asks for credentials and none are set';
  return `schema registry at ${shownUrl(cfg.registryUrl)} ${who} (HTTP ${status}) while ${what} (SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD)`;
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

const NETWORK_ERROR = /ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|socket hang up|Timeout \(\d+ms\)/i;

type Middleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** A request unanswered for `ms` fails (mappersmith: "Timeout (<ms>ms)"): a registry that takes connections and never answers is down too. */
const requestTimeout = (ms: number): Middleware => () => ({
  async prepareRequest(next) {
    return (await next()).enhance({ timeout: ms });
  },
});

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

/** The registry URL as messages may show it: a password written into the URL itself is masked. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * The one client of the schema registry: every call goes through
 * @kafkajs/confluent-schema-registry (its HTTP client carries the Basic auth
 * of SCHEMA_REGISTRY_USERNAME/PASSWORD on each request; the password is handed
 * to it here and nowhere else) and is retried by `withRetry` for
 * SCHEMA_REGISTRY_TIMEOUT_MS (which also bounds each request); the library's
 * own retries are off.
 *
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
      // Twice the retry budget: a registry slow under load (Apicurio's first registration of a subject took >15 s in a
      // loaded CI run) still answers, while one that never answers still ends as unreachable.
      middlewares: [requestTimeout(2 * cfg.registryTimeoutMs)],
    });
  }

  private retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { timeoutMs: this.cfg.registryTimeoutMs, retryable: isTransient }).catch((err: unknown) => {
      if (isTransient(err)) {
        throw new RegistryUnreachableError(
          `schema registry unreachable at ${shownUrl(this.cfg.registryUrl)} for ${this.cfg.registryTimeoutMs} ms while ${what} (SCHEMA_REGISTRY_URL): ${(err as Error).message}`,
        );
      }
      const status = httpStatus(err);
      if (status === 401 || status === 403) throw new RegistryRefusedError(registryRefusal(this.cfg, status, what), status);
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

  /**
   * The writer type of a schema id, fetched once and cached. An id the
   * registry does not know (404), or one of a schema that is not Avro, is an
   * UnknownSchemaIdError: the message's fault. Any other refusal (401: wrong
   * credentials, a RegistryRefusedError) is the service's and is thrown.
   */
  writerType(id: number): Promise<avsc.Type> {
    let t = this.types.get(id);
    if (!t) {
      t = this.retrying(`fetching schema id ${id}`, () => this.client.getSchema(id))
        .catch((err: unknown) => {
          if (httpStatus(err) === 404) throw new UnknownSchemaIdError(id, err);
          throw err;
        })
        .then((found) => {
          // The library parses the schema with its own copy of avsc; ours is rebuilt from that type's schema, which keeps
          // everything a writer schema is resolved by (full names, field order, types, enum symbols; defaults and aliases too).
          if (!avsc.Type.isType(found)) throw new UnknownSchemaIdError(id, new Error('it is not an Avro schema'));
          return avsc.Type.forSchema((found as unknown as avsc.Type).schema({ exportAttrs: true }));
        })
        .catch((err: unknown) => {
          this.types.delete(id); // a failure must not poison the cache
          throw err;
        });
      this.types.set(id, t);
    }
    return t;
  }

  /** The global id of `subject`'s schema at `version` (a number, or 'latest'). */
  schemaId(subject: string, version: number | 'latest'): Promise<number> {
    return this.retrying(`looking up ${subject} version ${version}`, () => this.client.getRegistryId(subject, version));
  }
}
