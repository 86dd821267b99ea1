import type { Logger } from 'pino';
import { baseClientConfig, type KafkaConfig } from './client-config.js';
import { brokerUnreachable } from './producer.js';
import { AdminClient, CODES, type LibrdKafkaError } from './rdkafka.js';
import type { TopicSpec } from './topic-plan.js';

type NativeAdmin = ReturnType<typeof AdminClient.create>;

export class KafkaAdmin {
  private constructor(private readonly native: NativeAdmin, private readonly cfg: KafkaConfig) {}

  static async connect(cfg: KafkaConfig, clientId: string): Promise<KafkaAdmin> {
    const native = AdminClient.create(baseClientConfig(cfg, clientId) as never);
    const admin = new KafkaAdmin(native, cfg);
    try {
      await admin.listTopics(); // the admin client connects lazily; this proves the broker answers
    } catch (err) {
      native.disconnect();
      throw brokerUnreachable(cfg, err);
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
