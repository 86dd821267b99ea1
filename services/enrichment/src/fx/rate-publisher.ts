// Publishing rates to the compacted fx.rates topic, idempotently: only what
// the topic (as loaded into a table) lacks or holds differently is produced,
// so publishing the same file twice produces nothing the second time.
import type { AvroSerializer, FxRate, KafkaProducer, Logger, Transactions } from '@stockstream/common';
import { fxKey } from './fx-key.js';
import type { FxTable } from './fx-table.js';

/**
 * The rates of `rates` to produce given what `table` holds: those of a
 * (currency, date) it lacks, and with `replace` also those whose value or
 * source differ (a correction). Without `replace` a rate already on the
 * topic wins: the service's bootstrap never overwrites an operator's rate.
 */
export function ratesToPublish(rates: readonly FxRate[], table: FxTable, replace: boolean): FxRate[] {
  return rates.filter((r) => {
    const held = table.get(r.currency, r.effectiveDate);
    return held === null || (replace && (held.rateToUsd !== r.rateToUsd || held.source !== r.source));
  });
}

export interface PublishRatesOptions {
  rates: readonly FxRate[];
  /** fx.rates as loaded; the published rates are applied to it too. */
  table: FxTable;
  replace: boolean;
  topic: string;
  producer: KafkaProducer;
  /** When set, the rates go out in one transaction: all of them or none. */
  transactions: Transactions | null;
  serializer: AvroSerializer<FxRate>;
  logger: Logger;
}

/**
 * Produces what ratesToPublish selects, and a tombstone for each rate of
 * `retract`, and waits until the broker has them; returns how many rates
 * were published.
 */
export async function publishRates(opts: PublishRatesOptions & { retract?: readonly FxRate[] }): Promise<number> {
  const todo = ratesToPublish(opts.rates, opts.table, opts.replace);
  const retract = opts.retract ?? [];
  if (todo.length === 0 && retract.length === 0) return 0;
  if (opts.transactions) await opts.transactions.begin();
  for (const rate of retract) {
    const q = opts.producer.produce(opts.topic, fxKey(rate.currency, rate.effectiveDate), null);
    if (q) await q;
  }
  for (const rate of todo) {
    const q = opts.producer.produce(opts.topic, fxKey(rate.currency, rate.effectiveDate), opts.serializer.encode(rate));
    if (q) await q;
  }
  if (opts.transactions) await opts.transactions.commit();
  else await opts.producer.flush();
  const now = Date.now();
  for (const rate of retract) opts.table.remove(rate.currency, rate.effectiveDate, now);
  for (const rate of todo) opts.table.upsert(rate, now);
  if (retract.length > 0) opts.logger.info({ retracted: retract.map((r) => fxKey(r.currency, r.effectiveDate)) }, 'retracted the FX defaults of earlier versions (the fallback replaces them)');
  if (todo.length > 0) opts.logger.info({ rates: todo.length, currencies: [...new Set(todo.map((r) => r.currency))].sort() }, 'published FX rates');
  return todo.length;
}
