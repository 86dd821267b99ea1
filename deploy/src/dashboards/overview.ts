// "StockStream pipeline overview": is data flowing, how late is the lake,
// where does it wait (lag, transactions, uploads), what is rejected.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { INSTANCE, Layout, board, labelVariable, labelsTablePanel, percentiles, query, servicesUpPanel, statPanel, timeseriesPanel } from './panels.js';

export const OVERVIEW_UID = 'stockstream-overview';

const I = INSTANCE;
const LAG = `${I}, topic=~"$topic"`;
const rate = (metric: string, matchers = I) => `rate(${metric}{${matchers}}[$__rate_interval])`;
const increase = (metric: string, matchers = I) => `increase(${metric}{${matchers}}[$__rate_interval])`;

export function overviewDashboard(): Dashboard {
  const b = board(
    OVERVIEW_UID,
    'StockStream pipeline overview',
    'ingest -> ticks.raw -> enrichment -> ticks.enriched -> s3-sink -> S3 lake: throughput, latency and lake freshness, consumer lag, transactions, uploads and dead letters.',
  )
    .withVariable(
      labelVariable('instance', 'Instance', 'Service instances (Prometheus instance label) of ingest, enrichment and s3-sink.', 'label_values(stockstream_build_info, instance)'),
    )
    .withVariable(
      labelVariable(
        'topic',
        'Topic',
        'Kafka topics the enrichment and s3-sink consumers read (their lag panels).',
        'label_values({__name__=~"stockstream_enrichment_consumer_lag_records|stockstream_sink_consumer_lag_records"}, topic)',
      ),
    );

  new Layout(b)
    .row(
      'Flow',
      timeseriesPanel({
        title: 'Records per second by stage',
        description:
          'Records read and published by ingest (published = its Kafka transaction committed), taken in and written out by enrichment, consumed and written to S3 objects by the sink. In steady state all lines meet; a stage below the one before it falls behind (see the lag panels).',
        queries: [
          query(`sum(${rate('stockstream_ingest_records_read_total')})`, 'ingest read'),
          query(`sum(${rate('stockstream_ingest_records_published_total')})`, 'ingest published'),
          query(`sum(${rate('stockstream_enrichment_records_in_total')})`, 'enrichment in'),
          query(`sum(${rate('stockstream_enrichment_records_out_total')})`, 'enrichment out'),
          query(`sum(${rate('stockstream_sink_records_consumed_total')})`, 'sink consumed'),
          query(`sum(${rate('stockstream_sink_records_written_total')})`, 'sink written to S3'),
        ],
        axisLabel: 'records/s',
        min: 0,
      }),
      timeseriesPanel({
        title: 'Dead letters per second by stage and reason',
        description:
          'Records sent to the dead-letter topic (ticks.dlq) instead of the next stage, by stage and reason code: ingest (rows that cannot be read as a record), enrichment (validation, no FX rate), sink (records it cannot decode or place), and all stages together. The alert StockStreamDeadLetterRateHigh fires above 1% of a stage\'s input.',
        queries: [
          query(`sum by (reason) (${rate('stockstream_ingest_records_dead_lettered_total')})`, 'ingest {{reason}}'),
          query(`sum by (reason) (${rate('stockstream_enrichment_records_dead_lettered_total')})`, 'enrichment {{reason}}'),
          query(`sum by (reason) (${rate('stockstream_sink_records_dead_lettered_total')})`, 'sink {{reason}}'),
          // A series per reason exists only once a record had that reason: the total shows 0 rather than no data.
          query(
            ['ingest', 'enrichment', 'sink'].map((stage) => `(sum(${rate(`stockstream_${stage}_records_dead_lettered_total`)}) or vector(0))`).join(' + '),
            'all stages',
          ),
        ],
        axisLabel: 'records/s',
        min: 0,
      }),
    )
    .row(
      'Latency and lake freshness',
      statPanel({
        title: 'Lake freshness',
        description:
          'How far the lake is behind: now minus the ingest time of the newest record landed in S3, per lake table. Grows by itself when nothing is ingested; while records flow, more than 10 min fires StockStreamLakeStale. Files close after SINK_ROTATE_MS (60 s) at the latest.',
        queries: [query(`time() - max by (table) (stockstream_sink_lake_newest_record_timestamp_seconds{${I}} > 0)`, '{{table}}')],
        unit: 's',
        steps: [
          [300, 'yellow'],
          [600, 'red'],
        ],
        sparkline: true,
      }),
      timeseriesPanel({
        title: 'End-to-end latency (ingest to S3)',
        description:
          'Time from a record\'s ingestedAt (set by ingest) to its object landing in S3, measured by the sink on a sample of records: p50, p95, p99. Dominated by file rotation (SINK_ROTATE_MS, SINK_ROTATE_IDLE_MS).',
        queries: percentiles('stockstream_sink_end_to_end_latency_seconds', I, 'ingest to S3'),
        unit: 's',
        width: 9,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Enrichment latency (ingest to enriched, visible)',
        description:
          'Time from a record\'s ingestedAt to its enriched output committed in ticks.enriched (visible to read_committed readers such as the sink): p50, p95, p99. Includes the ingest transaction interval and the time waiting in ticks.raw.',
        queries: percentiles('stockstream_enrichment_latency_seconds', I, 'ingest to enriched'),
        unit: 's',
        width: 9,
        min: 0,
      }),
    )
    .row(
      'Consumers',
      timeseriesPanel({
        title: 'Enrichment consumer lag per partition',
        description:
          'Records behind the end of each assigned partition of the enrichment consumers (ticks.raw), per topic/partition; series of revoked partitions are removed. Lag that keeps growing fires StockStreamEnrichmentLagGrowing.',
        queries: [query(`sum by (topic, partition) (stockstream_enrichment_consumer_lag_records{${LAG}})`, '{{topic}}/{{partition}}')],
        axisLabel: 'records',
        min: 0,
      }),
      timeseriesPanel({
        title: 'Sink consumer lag per partition',
        description:
          'Records behind the end of each assigned partition of the s3-sink consumers (ticks.enriched). The sink commits only after uploads, so lag includes the records in open files: it saw-tooths with file rotation. Growth fires StockStreamSinkLagGrowing.',
        queries: [query(`sum by (topic, partition) (stockstream_sink_consumer_lag_records{${LAG}})`, '{{topic}}/{{partition}}')],
        axisLabel: 'records',
        min: 0,
      }),
      timeseriesPanel({
        title: 'Assigned partitions',
        description: 'Partitions each consumer instance owns. The sum per service equals the partition count of its topic once the group is stable; an instance at 0 is idle (more instances than partitions).',
        queries: [
          query(`sum by (instance) (stockstream_enrichment_assigned_partitions{${I}})`, 'enrichment {{instance}}'),
          query(`sum by (instance) (stockstream_sink_assigned_partitions{${I}})`, 'sink {{instance}}'),
        ],
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Rebalances',
        description: 'Assignment changes applied per interval, by event (assign, revoke). A pair per instance start or stop is normal; a steady stream means members keep leaving the group (crashes, max.poll.interval exceeded).',
        queries: [
          query(`sum by (event) (${increase('stockstream_enrichment_rebalances_total')})`, 'enrichment {{event}}'),
          query(`sum by (event) (${increase('stockstream_sink_rebalances_total')})`, 'sink {{event}}'),
        ],
        bars: true,
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Offset commit failures',
        description: 'Offset commits the broker refused, per interval and instance. Each is retried or leads to recovery; repeated failures fire StockStreamCommitFailures (progress is not saved).',
        queries: [
          query(`sum by (instance) (${increase('stockstream_enrichment_commit_failures_total')})`, 'enrichment {{instance}}'),
          query(`sum by (instance) (${increase('stockstream_sink_commit_failures_total')})`, 'sink {{instance}}'),
        ],
        bars: true,
        width: 8,
        min: 0,
      }),
    )
    .row(
      'Transactions',
      timeseriesPanel({
        title: 'Transactions per second',
        description:
          'Ingest: transactions committed and aborted. Enrichment: transactions completed (count of its transaction duration histogram), aborted (the batch is rewound and retried) and producer renewals (a wedged or fenced transactional producer replaced).',
        queries: [
          query(`sum(${rate('stockstream_ingest_transactions_committed_total')})`, 'ingest committed'),
          query(`sum(${rate('stockstream_ingest_transactions_aborted_total')})`, 'ingest aborted'),
          query(`sum(${rate('stockstream_enrichment_transaction_duration_seconds_count')})`, 'enrichment transactions'),
          query(`sum(${rate('stockstream_enrichment_transactions_aborted_total')})`, 'enrichment aborted'),
          query(`sum(${rate('stockstream_enrichment_producer_renewals_total')})`, 'enrichment producer renewals'),
        ],
        axisLabel: 'transactions/s',
        min: 0,
      }),
      timeseriesPanel({
        title: 'Transaction and produce latency (p95)',
        description:
          'p95 of: ingest transaction commit duration; ingest produce latency (a record\'s produce to its transaction commit, sampled); enrichment transaction duration (a whole batch: consume, transform, produce, send offsets, commit).',
        queries: [
          ...percentiles('stockstream_ingest_transaction_commit_duration_seconds', I, 'ingest commit', [0.95]),
          ...percentiles('stockstream_ingest_produce_latency_seconds', I, 'ingest produce to commit', [0.95]),
          ...percentiles('stockstream_enrichment_transaction_duration_seconds', I, 'enrichment transaction', [0.95]),
        ],
        unit: 's',
        min: 0,
      }),
    )
    .row(
      'S3 lake',
      timeseriesPanel({
        title: 'S3 uploads',
        description: 'Objects written to S3 per second, and uploads that failed. Failures for 10 minutes fire StockStreamSinkUploadFailures; the sink pauses consumption while S3 fails.',
        queries: [
          query(`sum(${rate('stockstream_sink_objects_written_total')})`, 'objects written'),
          query(`sum(${rate('stockstream_sink_upload_failures_total')})`, 'upload failures'),
        ],
        axisLabel: 'objects/s',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Bytes per second',
        description: 'Bytes of objects the sink wrote to S3 (encoded, compressed), and bytes ingest published to Kafka (Avro), for comparison.',
        queries: [
          query(`sum(${rate('stockstream_sink_bytes_written_total')})`, 'sink to S3'),
          query(`sum(${rate('stockstream_ingest_bytes_published_total')})`, 'ingest to Kafka'),
        ],
        unit: 'Bps',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Upload duration',
        description: 'Time to encode a closed file (on the worker path) and upload it: p50, p95, p99. Rising with S3 trouble; the sink pauses when uploads back up.',
        queries: percentiles('stockstream_sink_upload_duration_seconds', I, 'upload'),
        unit: 's',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Files rotated by reason',
        description:
          'Why files close, per second: records (SINK_ROTATE_RECORDS), bytes (SINK_ROTATE_BYTES), time (SINK_ROTATE_MS), idle (SINK_ROTATE_IDLE_MS), rebalance (partition revoked), shutdown. Many time or idle closes mean small objects.',
        queries: [query(`sum by (reason) (${rate('stockstream_sink_files_rotated_total')})`, '{{reason}}')],
        axisLabel: 'files/s',
        stacked: true,
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Records per object',
        description: 'Records in each object written to S3: p50 and p95. Small objects make queries slow; see the rotation reasons.',
        queries: percentiles('stockstream_sink_object_records', I, 'records', [0.5, 0.95]),
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Bytes per object',
        description: 'Size of each object written to S3: p50 and p95.',
        queries: percentiles('stockstream_sink_object_bytes', I, 'bytes', [0.5, 0.95]),
        unit: 'bytes',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Open files',
        description: 'Files the sink holds open (one per Kafka partition and lake partition being written), per instance.',
        queries: [query(`sum by (instance) (stockstream_sink_open_files{${I}})`, '{{instance}}')],
        width: 12,
        min: 0,
      }),
      statPanel({
        title: 'Sink paused',
        description:
          'Whether a sink instance holds back consumption because S3 uploads fail (back-pressure; its /readyz is false meanwhile). Nothing is lost, but the lake goes stale. Paused for 2 minutes fires StockStreamSinkPaused.',
        queries: [query(`max by (instance) (stockstream_sink_paused{${I}})`, '{{instance}}')],
        mappings: { '0': { text: 'consuming', color: 'green' }, '1': { text: 'paused (S3)', color: 'red' } },
        steps: [[1, 'red']],
        width: 12,
      }),
    )
    .row(
      'Services and reference data',
      servicesUpPanel({ width: 8 }),
      statPanel({
        title: 'FX table',
        description: 'Enrichment\'s FX table: seconds since it last changed (from fx.rates), and dated rates held. Older than 4 days fires StockStreamFxTableStale.',
        queries: [
          query(`max by (instance) (stockstream_enrichment_fx_table_age_seconds{${I}})`, 'age {{instance}}'),
          query(`max by (instance) (stockstream_enrichment_fx_table_rates{${I}})`, 'rates {{instance}}'),
        ],
        unit: 's',
        unitOf: { B: 'short' },
        steps: [
          [86400, 'yellow'],
          [345600, 'red'],
        ],
        width: 6,
      }),
      labelsTablePanel({
        title: 'Builds running',
        description: 'Version, git commit, Node.js and librdkafka versions of each running instance (stockstream_build_info).',
        queries: [query(`max by (service, instance, version, commit, node_version, librdkafka_version) (stockstream_build_info{${I}})`)],
        width: 10,
      }),
    );
  return b.build();
}
