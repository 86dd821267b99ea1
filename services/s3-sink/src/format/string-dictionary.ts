/** A column's distinct strings in first-seen order, and each one's index (dictionary encoding of a file's strings). */
export class StringDictionary {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  // Consecutive rows of a file mostly repeat a column's string: one comparison instead of a hash lookup.
  private last: string | undefined;
  private lastId = -1;
  id(s: string): number {
    if (s === this.last) return this.lastId;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    this.last = s;
    this.lastId = id;
    return id;
  }
}
