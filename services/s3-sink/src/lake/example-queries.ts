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
} as const;

export type ExampleName = keyof typeof EXAMPLE_QUERIES;
export const EXAMPLE_NAMES = Object.keys(EXAMPLE_QUERIES) as ExampleName[];
