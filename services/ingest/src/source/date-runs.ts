// Splits a file into maximal date-sorted runs, by byte range, so date order
// can be produced by merging the runs instead of sorting the file in memory.
// A new run starts where a row's date is lower than the previous dated row's;
// equal dates stay in the run. So a file grouped by index (each group sorted,
// like indexData.csv) gives one run per group, and a file already in date
// order gives one run. Rows without a usable date do not affect runs.

/** Bytes [startByte, next run's startByte or end of file) of the file. */
export interface DateRun {
  readonly startByte: number;
  /** 1-based physical line at startByte. */
  readonly startLine: number;
}

export class TooManyRunsError extends Error {
  constructor(file: string, maxRuns: number, line: number) {
    super(
      `${file} is not grouped in date-sorted runs: more than ${maxRuns} runs ` +
        `(the dates go down for the ${maxRuns}th time at line ${line}); ` +
        `read it in file order instead`,
    );
    this.name = 'TooManyRunsError';
  }
}

export class DateRunScanner {
  readonly runs: DateRun[] = [];
  private lastDate = -Infinity;
  private endByte: number;
  private endLine: number;

  /** `headerEndByte`/`headerLine`: where the header record ends; runs cover everything after it. */
  constructor(
    private readonly file: string,
    private readonly maxRuns: number,
    headerEndByte: number,
    headerLine: number,
  ) {
    this.endByte = headerEndByte;
    this.endLine = headerLine;
    // The first run starts right after the header, so no row before the first dated one is left out.
    this.runs.push({ startByte: headerEndByte, startLine: headerLine + 1 });
  }

  /** Feed every record after the header, in file order: its placement date (null if none), end line and end byte. */
  observe(date: number | null, line: number, endByte: number): void {
    if (date !== null) {
      if (date < this.lastDate) {
        if (this.runs.length >= this.maxRuns) throw new TooManyRunsError(this.file, this.maxRuns, line);
        this.runs.push({ startByte: this.endByte, startLine: this.endLine + 1 });
      }
      this.lastDate = date;
    }
    this.endByte = endByte;
    this.endLine = line;
  }
}
