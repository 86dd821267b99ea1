import { SHIPPED_ECB_HISTORY } from '../../../src/fx/ecb-history.js';
import { loadFallbackRates } from '../../../src/fx/fallback-rates.js';
import { FxTable } from '../../../src/fx/fx-table.js';
import { loadRateFile } from '../../../src/fx/rate-file.js';
import { RateResolver } from '../../../src/fx/rate-resolver.js';

let shipped: FxTable | undefined;

/** The service's default rates: the shipped ECB history (loaded once per process), then the shipped fallback. */
export function shippedRates(): RateResolver {
  shipped ??= FxTable.of(loadRateFile(SHIPPED_ECB_HISTORY), 0);
  return new RateResolver(shipped, loadFallbackRates());
}

/** Only the shipped fallback (FX_HISTORY_FILE=none): the public set's one rate per currency. */
export function fallbackOnly(): RateResolver {
  return new RateResolver(new FxTable(), loadFallbackRates());
}
