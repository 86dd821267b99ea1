import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { IngestCommand } from '../cli/args.js';

/**
 * The default transactional.id of a run: one per raw topic and source (the
 * file's absolute path, or the generator's seed). A rerun of the same source
 * gets the same id, so its producer aborts the transaction a killed run left
 * open at once (read_committed readers would otherwise wait for the broker's
 * transaction timeout); runs of different sources never fence each other.
 */
export function defaultTransactionalId(rawTopic: string, cmd: IngestCommand): string {
  const source = cmd.mode === 'replay' ? `file:${resolve(cmd.file)}` : `simulate:${cmd.seed}`;
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  return `stockstream-ingest-${rawTopic}-${hash}`;
}
