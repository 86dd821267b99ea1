import type { Logger } from 'pino';
import { baseClientConfig, type KafkaConfig } from './client-config.js';
import { connectClient, type ClientEvents } from './connect.js';
import { AdminClient, CODES, type LibrdKafkaError } from './rdkafka.js';
import type { TopicSpec } from './topic-plan.js';

type NativeAdmin = ReturnType<typeof AdminClient.create>;

/** Longest single wait of the first topic list (see connect). */
const PROBE_STEP_MS = 1000;

export class KafkaAdmin {
  private constructor(private readonly native: NativeAdmin, private readonly cfg: KafkaConfig) {}

  static async connect(cfg: KafkaConfig, clientId: string): Promise<KafkaAdmin> {
    const native = AdminClient.create(baseClientConfig(cfg, clientId) as never);
    const admin = new KafkaAdmin(native, cfg);
    try {
      // The admin client connects lazily; a topic list proves the broker answers. Asked in short steps: a native
      // call in flight holds up the disconnect below (and the process exit) until its own timeout, so a refusal
      // (wrong password, untrusted certificate) ends the start within a step instead of KAFKA_CONNECT_TIMEOUT_MS.
      const deadline = Date.now() + cfg.connectTimeoutMs;
      await connectClient(native as unknown as ClientEvents, cfg, (done, settled) => {
        const attempt = () =>
          native.listTopics({ timeout: Math.max(1, Math.min(PROBE_STEP_MS, deadline - Date.now())) }, (err) => {
            if (!err || settled() || Date.now() >= deadline) done(err);
            else attempt();
          });
        attempt();
      });
    } catch (err) {
      native.disconnect();
      throw err;
    }
    return admin;
  }

  listTopics(): Promise<string[]> {
    return new Promise((resolve, reject) =>
      this.native.listTopics({ timeout: this.cfg.connectTimeoutMs }, (err, topics) => (err ? reject(err) : resolve(topics))),
    );
  }

  /** Creates the topics that are missing; returns the names it created. */
  async ensureTopics(specs: TopicSpec[], logger: Logger): Promise<string[]> {
    const existing = new Set(await this.listTopics());
    const created: string[] = [];
    for (const spec of specs) {
      if (existing.has(spec.name)) continue;
      await new Promise<void>((resolve, reject) =>
        this.native.createTopic(
          { topic: spec.name, num_partitions: spec.partitions, replication_factor: spec.replicationFactor, config: spec.config },
          this.cfg.connectTimeoutMs,
          (err: LibrdKafkaError) => (err && err.code !== CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS ? reject(err) : resolve()),
        ),
      );
      created.push(spec.name);
      logger.info({ topic: spec.name, partitions: spec.partitions, config: spec.config }, 'created topic');
    }
    return created;
  }

  async deleteTopic(name: string): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.native.deleteTopic(name, this.cfg.connectTimeoutMs, (err) =>
        err && err.code !== CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART ? reject(err) : resolve(),
      ),
    );
  }

  disconnect(): void {
    this.native.disconnect();
  }
}
