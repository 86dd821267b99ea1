// Rough character of the 14 indices of the public set around January 2000,
// enough for the generator to produce plausible levels and volumes.

export interface IndexProfile {
  readonly symbol: string;
  /** Index level the walk starts at and slowly reverts to. */
  readonly startLevel: number;
  /** Standard deviation of daily log returns. */
  readonly dailyVolatility: number;
  /** Mean daily volume. */
  readonly meanVolume: number;
}

export const INDEX_PROFILES: readonly IndexProfile[] = [
  { symbol: 'NYA', startLevel: 6760, dailyVolatility: 0.01, meanVolume: 1_000_000_000 },
  { symbol: 'IXIC', startLevel: 4130, dailyVolatility: 0.016, meanVolume: 1_500_000_000 },
  { symbol: 'HSI', startLevel: 17370, dailyVolatility: 0.014, meanVolume: 600_000_000 },
  { symbol: '000001.SS', startLevel: 1400, dailyVolatility: 0.013, meanVolume: 120_000 },
  { symbol: 'N225', startLevel: 18930, dailyVolatility: 0.013, meanVolume: 120_000 },
  { symbol: 'N100', startLevel: 1440, dailyVolatility: 0.012, meanVolume: 200_000_000 },
  { symbol: '399001.SZ', startLevel: 3500, dailyVolatility: 0.015, meanVolume: 90_000 },
  { symbol: 'GSPTSE', startLevel: 8400, dailyVolatility: 0.01, meanVolume: 150_000_000 },
  { symbol: 'NSEI', startLevel: 1590, dailyVolatility: 0.014, meanVolume: 200_000 },
  { symbol: 'GDAXI', startLevel: 6750, dailyVolatility: 0.013, meanVolume: 100_000_000 },
  { symbol: 'KS11', startLevel: 1060, dailyVolatility: 0.016, meanVolume: 300_000 },
  { symbol: 'SSMI', startLevel: 7400, dailyVolatility: 0.01, meanVolume: 50_000_000 },
  { symbol: 'TWII', startLevel: 8450, dailyVolatility: 0.015, meanVolume: 3_000_000 },
  { symbol: 'J203.JO', startLevel: 8500, dailyVolatility: 0.011, meanVolume: 200_000_000 },
];

/** All 14 symbols, in the order of indexInfo.csv. */
export const DEFAULT_INDICES: readonly string[] = INDEX_PROFILES.map((p) => p.symbol);

/** The profile of a known symbol; unknown symbols get a generic 1000-point index. */
export function profileFor(symbol: string): IndexProfile {
  return (
    INDEX_PROFILES.find((p) => p.symbol === symbol) ?? {
      symbol,
      startLevel: 1000,
      dailyVolatility: 0.01,
      meanVolume: 1_000_000,
    }
  );
}
