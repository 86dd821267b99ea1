// Every relative link of the repository's Markdown pages (README.md, docs/,
// the services' and deploy's READMEs) points at a file of the repository, and
// a link with #anchor at a heading of that page, so moving a page or renaming
// a section cannot leave a dead link behind.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './support/compose-file.js';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.stack', '.docker', '.cache']);

/** Markdown files under `dir`, symbolic links not followed. */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : markdownFiles(join(dir, e.name));
    return e.isFile() && e.name.endsWith('.md') ? [join(dir, e.name)] : [];
  });
}

/** The page without fenced code blocks and inline code, where brackets are not links. */
function prose(text: string): string {
  return text.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchors of a page's headings (lower case, punctuation dropped, each space a hyphen, repeats numbered). */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = text.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const rendered = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = rendered.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Targets of the inline links of a page that are not URLs (http:, mailto:, ...). */
export function relativeLinks(text: string): string[] {
  return [...prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('links between the Markdown pages', () => {
  const pages = markdownFiles(REPO);

  it('finds the pages (README.md and docs/ among them)', () => {
    const names = pages.map((p) => relative(REPO, p));
    assert.ok(names.includes('README.md'), 'README.md');
    assert.ok(names.some((n) => n.startsWith(`docs${sep}`)), 'docs/*.md');
  });

  it('the slugger gives GitHub\'s anchors', () => {
    const anchors = headingAnchors("# A\n## `docker compose up`\n## Where the sink's time goes\n```sh\n# not a heading\n```\n## A\n");
    assert.deepEqual([...anchors], ['a', 'docker-compose-up', 'where-the-sinks-time-goes', 'a-1']);
    assert.deepEqual(relativeLinks('[x](docs/a.md#b) [y](https://e.org) `[z](no.md)` [w](#top)'), ['docs/a.md#b', '#top']);
  });

  for (const page of pages) {
    const name = relative(REPO, page);
    it(`${name}: every relative link resolves inside the repository`, () => {
      const problems: string[] = [];
      for (const link of relativeLinks(readFileSync(page, 'utf8'))) {
        const [path = '', anchor] = link.split('#', 2);
        const target = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
        if (target !== REPO && !target.startsWith(REPO + sep)) {
          problems.push(`${link}: outside the repository`);
          continue;
        }
        if (!existsSync(target)) {
          problems.push(`${link}: no such file`);
          continue;
        }
        if (anchor && target.endsWith('.md') && statSync(target).isFile() && !headingAnchors(readFileSync(target, 'utf8')).has(anchor)) {
          problems.push(`${link}: no heading #${anchor} in ${relative(REPO, target)}`);
        }
      }
      assert.deepEqual(problems, [], `${name} has dead links`);
    });
  }
});
