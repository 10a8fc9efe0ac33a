// The page's title search (web/static/search.js) run outside a browser, for
// tests/scoring/test_titles.py, which runs the same cases through staticrec.scoring.titles.
// Reads {titles, ids, counts, queries, texts} as JSON on stdin; writes
// {search: [[position, ...] per query], normalise: [text per text], spoken: [text per title]}.
import { register } from "node:module";

// search.js imports the site's vendored hyparquet (web/vendor/ exists only in a built site):
// a stub stands in for it, since the search never reads a file.
const stub = "data:text/javascript,export function parquetRead() {}";
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier.endsWith("vendor/hyparquet/index.js")) return { url: "${stub}", shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
const { catalogFromItems, normalise, search, spoken } = await import("../static/search.js");

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { titles, ids, counts, queries, texts } = JSON.parse(input);
const catalog = catalogFromItems({ movieId: ids, title: titles, n_ratings: counts });
process.stdout.write(JSON.stringify({
  search: queries.map((query) => search(catalog, query, Infinity)),
  normalise: texts.map(normalise),
  spoken: titles.map(spoken),
}));
