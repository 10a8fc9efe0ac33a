// Title search over items.parquet, as you type, with no server: a suggestion list that works
// with the mouse and the keyboard. Titles are only ever inserted as text.
import { spoken } from "./titles.js";

export { spoken };

/**
 * Comparable text in any script: compatibility forms folded (fullwidth "Ｔｏｙ" is "toy"),
 * accents dropped, case folded, and every run of anything but letters and digits (of any
 * alphabet: Hebrew, Cyrillic, CJK…) or symbols (emoji) one space. Linear in the length.
 */
export function normalise(text) {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase()
    .replace(/[^\p{L}\p{N}\p{So}]+/gu, " ").trim();
}

/** Ids, titles, rating counts and search keys from the items table's columns (as the page was
 * sent them: its own, kept, not copied); the years and IMDb ids too when the table has them, as
 * stored (0 or NaN when unknown: the watchlist's exports read them). Made while the page starts,
 * so only what the search needs at once is made: one map from a movieId to its position. */
export function catalogFromItems(items) {
  const { movieId: ids, title: titles } = items;
  const at = new Map();
  for (let i = 0; i < ids.length; i += 1) at.set(Number(ids[i]), i);
  return {
    ids,
    titles,
    counts: items.n_ratings,
    years: items.year ?? null,
    imdbIds: items.imdbId ?? null,
    keys: null, // normalised titles: made on the first search, not during start-up
    at,
    byId: { get: (movieId) => titles[at.get(movieId)], has: (movieId) => at.has(movieId) },
  };
}

/**
 * How well a title (as its two keys) matches the query's words joined by spaces: 0 the whole
 * title, with or without its year; 1 the title starts with them; 2 they are in it somewhere.
 * staticrec.scoring.titles has the same rule, for the command line.
 */
export function tier(plain, natural, phrase) {
  const whole = (key) => key === phrase
    || (key.startsWith(phrase) && /^ [0-9]{4}$/.test(key.slice(phrase.length)));
  if (whole(plain) || whole(natural)) return 0;
  return plain.startsWith(phrase) || natural.startsWith(phrase) ? 1 : 2;
}

/** Up to ``limit`` positions matching every word of the query: the whole title first, then
 * title prefixes, then the rest; most rated first within each. */
export function search(catalog, query, limit = 8) {
  const words = normalise(query).split(" ").filter(Boolean);
  if (!words.length) return [];
  const phrase = words.join(" ");
  catalog.keys ??= catalog.titles.map((t) => [normalise(t), normalise(spoken(t))]);
  const hits = [];
  catalog.keys.forEach(([plain, natural], i) => {
    const text = `${plain} ${natural}`;
    if (words.every((w) => text.includes(w))) {
      hits.push([tier(plain, natural, phrase), -catalog.counts[i], catalog.ids[i], i]);
    }
  });
  hits.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return hits.slice(0, limit).map((hit) => hit[3]);
}

/** Wire an <input role=combobox> and its <ul role=listbox> to the catalogue (the ARIA combobox
 * pattern: aria-expanded, aria-activedescendant); onPick(movieId, title). */
export function attachSearch(input, list, catalog, onPick) {
  let active = -1;
  let shown = [];

  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const highlight = (index) => {
    active = index;
    list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${index}`);
  };
  const pick = (index) => {
    const position = shown[index];
    if (position === undefined) return;
    close();
    input.value = "";
    onPick(catalog.ids[position], catalog.titles[position]);
  };

  input.addEventListener("input", () => {
    shown = search(catalog, input.value);
    list.replaceChildren(...shown.map((position, i) => {
      const li = document.createElement("li");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.dataset.movieId = String(catalog.ids[position]);
      li.textContent = catalog.titles[position];
      li.addEventListener("mousedown", (event) => { event.preventDefault(); pick(i); });
      return li;
    }));
    list.hidden = shown.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    highlight(shown.length ? 0 : -1);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") highlight(Math.min(active + 1, shown.length - 1));
    else if (event.key === "ArrowUp") highlight(Math.max(active - 1, 0));
    else if (event.key === "Enter") pick(Math.max(active, 0));
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  });
  input.addEventListener("blur", close);
  input.disabled = false;
}
