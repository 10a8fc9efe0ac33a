// Titles as people say them: "Matrix, The (1999)" is "The Matrix", from 1999. Shared by the
// search, the picks and the exports (Letterboxd matches titles as people type them).

const ARTICLES = ["The", "A", "An", "Les", "La", "Le", "L'", "Il", "El", "Der", "Die", "Das"];

/**
 * "Matrix, The (1999)" -> "The Matrix (1999)": how people type it. The last ", Article" that
 * ends the title or comes just before " (" moves to the front. A scan from the end, not a
 * backtracking regex: linear even for a very long title.
 */
export function spoken(title) {
  for (let comma = title.lastIndexOf(", "); comma > 0; comma = title.lastIndexOf(", ", comma - 1)) {
    const rest = title.slice(comma + 2, comma + 2 + 4);
    for (const article of ARTICLES) {
      if (!rest.startsWith(article)) continue;
      const after = comma + 2 + article.length;
      if (after === title.length || title.startsWith(" (", after)) {
        return `${article} ${title.slice(0, comma)}${title.slice(after)}`;
      }
    }
  }
  return title;
}

/** A title without its trailing year, as spoken, and the year: "Heat (1995)" -> {name: "Heat",
 * year: 1995}; a title without a year keeps its words, year null. */
export function titleParts(title) {
  const text = spoken(title);
  const match = /^(.*\S)\s+\((\d{4})\)\s*$/.exec(text);
  return match ? { name: match[1], year: Number(match[2]) } : { name: text, year: null };
}
