// Unified diffs (`diff -u`, `git diff`) applied without fuzz, in plain Node:
// `patch` is not on a slim Debian/Ubuntu image (nor git), Node always is.
// Pure functions over strings; build.mjs does the file work.
//
// A hunk applies where its context and removed lines are exactly the file's
// lines: at the line it names, else at the nearest line where they are
// (`patch` without fuzz does the same). Reversed, a diff takes a patched file
// back to the original.

/**
 * @typedef {{ op: ' ' | '-' | '+', text: string }} HunkLine
 * @typedef {{ oldStart: number, newStart: number, lines: HunkLine[] }} Hunk
 * @typedef {{ path: string, hunks: Hunk[] }} FilePatch
 */

/**
 * The files of a unified diff, paths without their first component (`patch -p1`).
 * Text before the first `--- ` line (a description) is ignored.
 * @param {string} text
 * @returns {FilePatch[]}
 */
export function parseDiff(text) {
  const lines = text.split('\n');
  /** @type {FilePatch[]} */
  const files = [];
  let i = 0;
  while (i < lines.length) {
    if (!(lines[i].startsWith('--- ') && lines[i + 1]?.startsWith('+++ '))) {
      i++;
      continue;
    }
    const path = lines[i + 1].slice(4).split('\t')[0].trim().split('/').slice(1).join('/');
    if (path === '') throw new Error(`diff: no file name in "${lines[i + 1]}"`);
    /** @type {FilePatch} */
    const file = { path, hunks: [] };
    files.push(file);
    i += 2;
    while (i < lines.length && lines[i].startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]);
      if (!m) throw new Error(`diff ${path}: bad hunk header "${lines[i]}"`);
      let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      let newLeft = m[4] === undefined ? 1 : Number(m[4]);
      /** @type {Hunk} */
      const hunk = { oldStart: Number(m[1]), newStart: Number(m[3]), lines: [] };
      i++;
      while (oldLeft > 0 || newLeft > 0) {
        const line = lines[i];
        if (line === undefined) throw new Error(`diff ${path}: hunk at line ${hunk.oldStart} ends early`);
        i++;
        if (line.startsWith('\\')) continue; // "\ No newline at end of file"
        const op = line === '' ? ' ' : line[0]; // some editors strip the space of an empty context line
        if (op !== ' ' && op !== '-' && op !== '+') throw new Error(`diff ${path}: unexpected line in hunk "${line}"`);
        hunk.lines.push({ op, text: line.slice(1) });
        if (op !== '+') oldLeft--;
        if (op !== '-') newLeft--;
      }
      while (lines[i]?.startsWith('\\')) i++;
      if (oldLeft < 0 || newLeft < 0) throw new Error(`diff ${path}: hunk at line ${hunk.oldStart} is longer than its header says`);
      file.hunks.push(hunk);
    }
    if (file.hunks.length === 0) throw new Error(`diff ${path}: no hunks`);
  }
  return files;
}

/** The same patch, undoing what it does. @param {FilePatch} file @returns {FilePatch} */
export function reversed(file) {
  const flip = { ' ': ' ', '-': '+', '+': '-' };
  return {
    path: file.path,
    hunks: file.hunks.map((h) => ({ oldStart: h.newStart, newStart: h.oldStart, lines: h.lines.map((l) => ({ op: flip[l.op], text: l.text })) })),
  };
}

/**
 * `source` with the patch applied, or the reason it does not apply.
 * @param {string} source
 * @param {FilePatch} file
 * @returns {{ ok: true, text: string } | { ok: false, reason: string }}
 */
export function applyPatch(source, file) {
  const lines = source.split('\n');
  const out = [];
  let at = 0; // next line of `lines` not yet copied
  let drift = 0; // how far earlier hunks were found from where they said
  for (const hunk of file.hunks) {
    const expected = hunk.lines.filter((l) => l.op !== '+').map((l) => l.text);
    // A hunk that only adds lines names the line they follow; any other, its first line.
    const named = expected.length === 0 ? hunk.oldStart : hunk.oldStart - 1;
    const found = nearestMatch(lines, expected, Math.max(named + drift, at), at);
    if (found < 0) return { ok: false, reason: `${file.path}: the hunk at line ${hunk.oldStart} does not match the file` };
    drift = found - named;
    out.push(...lines.slice(at, found));
    out.push(...hunk.lines.filter((l) => l.op !== '-').map((l) => l.text));
    at = found + expected.length;
  }
  out.push(...lines.slice(at));
  return { ok: true, text: out.join('\n') };
}

/** Index of the occurrence of `expected` in `lines` at or after `from` nearest to `want`; -1 when none. */
function nearestMatch(lines, expected, want, from) {
  const matches = (i) => i >= from && i + expected.length <= lines.length && expected.every((t, k) => lines[i + k] === t);
  for (let d = 0; want - d >= from || want + d < lines.length; d++) {
    if (matches(want - d)) return want - d;
    if (matches(want + d)) return want + d;
  }
  return -1;
}
