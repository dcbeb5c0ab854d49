// The README is a short front door and the docs hold together: every relative link (and its
// #anchor) points at something that exists, and user docs speak of the project, not its tracker.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** README.md, docs/*.md and examples/*\/README.md, relative to the root. */
function userDocs(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const examples = readdirSync(join(ROOT, 'examples'))
    .map((d) => `examples/${d}/README.md`)
    .filter((f) => existsSync(join(ROOT, f)));
  return ['README.md', ...docs, ...examples];
}

/** Markdown outside fenced code blocks and inline code spans. */
function prose(md: string): string {
  return md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(md: string): Set<string> {
  return new Set(md.replace(/^```[\s\S]*?^```/gm, '').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));
}

/** Relative links: [text](target) whose target has no scheme. */
function links(md: string): string[] {
  return [...prose(md).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** Tracker references: "#12", "issue 12", "issues 7 and 9", "PR #3". */
function trackerReferences(text: string): string[] {
  return [...text.matchAll(/(^|[^\w&/])#\d+\b|\b(issues?|PRs?|pull requests?)\s+#?\d+/gi)].map((m) => m[0].trim());
}

describe('docs', () => {
  it('the README is at most 200 lines and starts with install, test and the main bench command', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).to.be.at.most(200);
    const first = /```sh\n([\s\S]*?)```/.exec(readme);
    expect(first, 'a first sh block').to.not.equal(null);
    expect(readme.indexOf(first![0]), 'the first block comes before any section').to.be.below(readme.indexOf('\n## '));
    const commands = first![1].split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    expect(commands).to.deep.equal(['npm install', 'npm test', 'npm run bench']);
  });

  it('the README links to every file in docs/', () => {
    const readme = read('README.md');
    for (const f of readdirSync(join(ROOT, 'docs')).filter((x) => x.endsWith('.md'))) expect(readme, f).to.include(`](docs/${f})`);
  });

  it('docs/api.md names every export of the public API (lib/api.ts)', () => {
    const api = read('lib/api.ts');
    const names = new Set<string>();
    for (const m of api.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) for (const n of m[1].split(',')) names.add(n.replace(/\btype\b/, '').trim());
    for (const m of api.matchAll(/^export (?:async )?(?:function|interface|const|class|type) (\w+)/gm)) names.add(m[1]);
    names.delete('');
    expect(names.size).to.be.above(30);
    const doc = read('docs/api.md');
    const missing = [...names].filter((n) => !new RegExp(`\\b${n}\\b`).test(doc));
    expect(missing, 'exports docs/api.md does not mention').to.deep.equal([]);
  });

  it('no user doc names a tracker issue', () => {
    for (const file of userDocs()) expect(trackerReferences(read(file)), file).to.deep.equal([]);
  });

  it('every relative link in the README, docs/ and the examples resolves, anchors included', () => {
    let checked = 0;
    for (const file of userDocs()) {
      const md = read(file);
      for (const target of links(md)) {
        const [path, anchor] = target.split('#');
        const dest = path ? resolve(ROOT, dirname(file), decodeURI(path)) : join(ROOT, file);
        const where = `${file} -> ${target}`;
        expect(relative(ROOT, dest).startsWith('..'), `${where} leaves the repository`).to.equal(false);
        expect(existsSync(dest), `${where}: no such file`).to.equal(true);
        if (anchor) {
          expect(statSync(dest).isFile() && dest.endsWith('.md'), `${where}: an anchor into a non-markdown file`).to.equal(true);
          expect([...anchors(readFileSync(dest, 'utf8'))], `${where}: no such heading`).to.include(anchor);
        }
        checked++;
      }
    }
    expect(checked).to.be.above(20);
  });

  it('the checks catch what they look for', () => {
    expect(trackerReferences('fixed in #12; see issue 7, issues 7 and 9, PR #3')).to.deep.equal(['#12', 'issue 7', 'issues 7', 'PR #3']);
    expect(trackerReferences('[Winograd](#winograd-f2x2-3x3-native), &#8212;, C1 1.5x, 2^31, a/#1')).to.deep.equal([]);
    expect(slug('Backward: `layer.backward(x, dy)` / `layer.backwardAsync(x, dy)`')).to.equal('backward-layerbackwardx-dy--layerbackwardasyncx-dy');
    expect(slug('`npm run bench -- --kernels`')).to.equal('npm-run-bench------kernels');
    expect(links('[a](docs/api.md#errors) [b](https://x.org) `[c](nope.md)` [d](#local)')).to.deep.equal(['docs/api.md#errors', '#local']);
  });
});
