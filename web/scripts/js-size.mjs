// The JS a page of the built dashboard loads, gzip -9: the entry's static imports plus one
// lazy route chunk and its static imports. Prints each route, heaviest first.
//   node web/scripts/js-size.mjs [DIST] [--max KB]   exits 1 when the heaviest page is over KB
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max');
const maxKb = maxAt >= 0 ? Number(args.splice(maxAt, 2)[1]) : Infinity;
const dist = args[0] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const assets = path.join(dist, 'assets');
const read = (f) => fs.readFileSync(path.join(assets, f), 'utf8');
const refs = (src, re) => [...src.matchAll(re)].map((m) => m[1]);
const staticRe = /(?:from|import)\s*["']\.\/([^"']+\.js)["']/g;
const dynamicRe = /import\(\s*["']\.\/([^"']+\.js)["']\s*\)/g;

function closure(roots, seen = new Set()) {
  for (const f of roots) {
    if (seen.has(f)) continue;
    seen.add(f);
    closure(refs(read(f), staticRe), seen);
  }
  return seen;
}

const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const entry = closure(refs(html, /assets\/([^"']+\.js)["']/g));
const routes = new Set([...entry].flatMap((f) => refs(read(f), dynamicRe)));
const gz = new Map();
const size = (files) =>
  [...files].reduce((t, f) => t + (gz.get(f) ?? gz.set(f, zlib.gzipSync(read(f), { level: 9 }).length).get(f)), 0);

const pages = [...routes].map((r) => {
  const files = closure([r], new Set(entry));
  return { route: r.replace(/-[^-]+\.js$/, ''), kb: size(files) / 1024, files: files.size };
});
if (pages.length === 0) pages.push({ route: '(entry)', kb: size(entry) / 1024, files: entry.size });
pages.sort((a, b) => b.kb - a.kb);
for (const p of pages) console.log(`js-size: ${p.route.padEnd(16)} ${p.kb.toFixed(1).padStart(6)} KB gzip in ${p.files} files`);
const top = pages[0];
if (top.kb > maxKb) {
  console.error(`js-size: ${top.route} loads ${top.kb.toFixed(1)} KB of JS gzip, over the ${maxKb} KB budget`);
  process.exit(1);
}
