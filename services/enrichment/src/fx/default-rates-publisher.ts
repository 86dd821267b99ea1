import type { AvroSerializer, FxRate, KafkaProducer, Logger, Transactions } from '@stockstream/common';
import { fxKey } from './fx-key.js';
import type { FxTable } from './fx-table.js';

/** The default rates the topic lacks; a rate an operator already published for the same currency and date wins. */
export function missingDefaults(defaults: FxRate[], table: FxTable): FxRate[] {
  return defaults.filter((d) => !table.ratesOf(d.currency).some((r) => r.effectiveDate === d.effectiveDate));
}

/** Publishes the missing defaults to fx.rates (in a transaction when the producer is transactional) and applies them locally. */
export async function publishDefaultRates(opts: {
  defaults: FxRate[];
  table: FxTable;
  topic: string;
  producer: KafkaProducer;
  transactions: Transactions | null;
  serializer: AvroSerializer<FxRate>;
  logger: Logger;
}): Promise<number> {
  const missing = missingDefaults(opts.defaults, opts.table);
  if (missing.length === 0) return 0;
  if (opts.transactions) await opts.transactions.begin();
  for (const rate of missing) {
    const q = opts.producer.produce(opts.topic, fxKey(rate.currency, rate.effectiveDate), opts.serializer.encode(rate));
    if (q) await q;
  }
  if (opts.transactions) await opts.transactions.commit();
  else await opts.producer.flush();
  for (const rate of missing) opts.table.upsert(rate, Date.now());
  opts.logger.info({ currencies: missing.map((r) => r.currency) }, 'published default FX rates');
  return missing.length;
}
