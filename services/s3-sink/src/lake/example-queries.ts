// The original project's questions, as named SQL over the `ticks` view.

export const EXAMPLE_QUERIES = {
  latest_close_usd: {
    title: 'Latest close in USD per index',
    sql: `SELECT "index", date, close, currency, round(close_usd, 2) AS close_usd
FROM ticks
QUALIFY row_number() OVER (PARTITION BY "index" ORDER BY date DESC) = 1
ORDER BY "index"`,
  },
  yearly_avg_close_usd: {
    title: 'Yearly average close in USD per index (last 5 years of each index)',
    sql: `SELECT "index", year, avg_close_usd, trading_days FROM (
  SELECT "index", year, round(avg(close_usd), 2) AS avg_close_usd, count(*) AS trading_days,
         row_number() OVER (PARTITION BY "index" ORDER BY year DESC) AS recent
  FROM ticks GROUP BY "index", year
)
WHERE recent <= 5
ORDER BY "index", year`,
  },
  biggest_daily_moves: {
    title: 'Biggest daily moves (close against the previous close)',
    sql: `WITH d AS (
  SELECT "index", date, close, lag(close) OVER (PARTITION BY "index" ORDER BY date) AS prev_close FROM ticks
)
SELECT "index", date, prev_close, close, round(100 * (close / prev_close - 1), 2) AS change_pct
FROM d WHERE prev_close IS NOT NULL
ORDER BY abs(close / prev_close - 1) DESC, "index", date
LIMIT 10`,
  },
  volume_by_exchange: {
    title: 'Traded volume by exchange',
    sql: `SELECT exchange, sum(volume) AS volume, count(*) AS trading_days, min(date) AS first_date, max(date) AS last_date
FROM ticks
GROUP BY exchange
ORDER BY volume DESC, exchange`,
  },
  local_vs_usd_return: {
    title: 'Return in local currency and in USD since the ECB series starts (1999-01-04), per index',
    // min_by/max_by: the close of the first and last trading day (DuckDB, Athena and Trino all have them).
    sql: `SELECT "index", currency, min(date) AS first_date, max(date) AS last_date,
       round(100 * (max_by(close, date) / min_by(close, date) - 1), 1) AS local_return_pct,
       round(100 * (max_by(close_usd, date) / min_by(close_usd, date) - 1), 1) AS usd_return_pct,
       round(100 * ((max_by(close_usd, date) / min_by(close_usd, date)) / (max_by(close, date) / min_by(close, date)) - 1), 1) AS fx_effect_pct,
       coalesce(min_by(fx_source, date), 'unrecorded') || ' -> ' || coalesce(max_by(fx_source, date), 'unrecorded') AS fx_sources
FROM ticks
WHERE date >= DATE '1999-01-04'
GROUP BY "index", currency
ORDER BY "index"`,
  },
  fx_rate_sources: {
    title: 'Which FX rates converted the bars: per currency and source, with the dates they cover',
    sql: `SELECT currency, coalesce(fx_source, 'unrecorded') AS fx_source, count(*) AS bars, min(date) AS first_date, max(date) AS last_date,
       round(min(fx_rate), 6) AS min_rate, round(max(fx_rate), 6) AS max_rate
FROM ticks
GROUP BY ALL
ORDER BY currency, first_date`,
  },
} as const;

export type ExampleName = keyof typeof EXAMPLE_QUERIES;
export const EXAMPLE_NAMES = Object.keys(EXAMPLE_QUERIES) as ExampleName[];
