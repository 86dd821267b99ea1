import type { IngestCommand } from './cli/args.js';
import { readCsvFile, type SourceItem } from './source/csv-file-source.js';
import { generateTicks } from './source/generator.js';

/** The item stream a command asks for: a file (once or looping) or the generator. */
export async function* itemsFor(cmd: IngestCommand): AsyncGenerator<SourceItem> {
  if (cmd.mode === 'simulate') {
    for (const tick of generateTicks({ seed: cmd.seed, count: cmd.count, startDate: cmd.startDate })) yield { kind: 'tick', tick };
    return;
  }
  for (let pass = 1; ; pass++) {
    for await (const item of readCsvFile(cmd.file, { order: cmd.order })) {
      // Later passes get their own source name so each record's coordinates stay unique.
      if (pass > 1 && item.kind === 'tick') item.tick.source.name += `#pass${pass}`;
      yield item;
    }
    if (!cmd.loop) return;
  }
}
