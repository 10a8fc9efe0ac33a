// A visitor's ratings in a link, so that a friend opens the same list: carried in the URL's
// fragment (#r=…), which browsers never send to a server. Compact: version 1 is one byte (1),
// then per rating, in the visitor's order (the recommender counts recent ratings more), the
// movieId as an unsigned LEB128 varint and the rating times two as one byte; the bytes as
// base64url without padding. Five ratings take about 25 characters.
// #r=… shows the friend's list; #together=… the list for both of them (the request's
// ``together``: the friend's ratings beside the visitor's own).
import { parseId } from "./ratings.js";

const VERSION = 1;

/** A link carries at most this many ratings (the latest): a link stays a link. */
export const MAX_SHARED = 500;

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(code) {
  if (!/^[A-Za-z0-9_-]*$/.test(code)) return null;
  try {
    return Uint8Array.from(atob(code.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** [[movieId, rating], ...] (oldest first) as a link's code: the latest MAX_SHARED of them. */
export function encodeRatings(pairs) {
  const bytes = [VERSION];
  for (const [movieId, rating] of pairs.slice(-MAX_SHARED)) {
    let id = movieId;
    while (id >= 0x80) {
      bytes.push((id % 0x80) | 0x80);
      id = Math.floor(id / 0x80);
    }
    bytes.push(id, Math.round(rating * 2));
  }
  return base64url(bytes);
}

/**
 * A link's code as [[movieId, rating], ...], in its order; null when it is not one (another
 * version, cut short, a movieId out of range, a rating off the scale [low, high]).
 */
export function decodeRatings(code, [low, high] = [0.5, 5]) {
  const bytes = fromBase64url(code);
  if (!bytes || bytes[0] !== VERSION) return null;
  const pairs = [];
  let at = 1;
  while (at < bytes.length) {
    let id = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length || scale > 2 ** 35) return null;
      const byte = bytes[at++];
      id += (byte & 0x7f) * scale;
      scale *= 0x80;
      if (byte < 0x80) break;
    }
    if (at >= bytes.length) return null;
    const rating = bytes[at++] / 2;
    if (parseId(id) === null || !(rating >= low && rating <= high)) return null;
    pairs.push([id, rating]);
  }
  return pairs;
}

/** What a fragment asks for: {view: "shared" | "together", code}, or null for none. */
export function readFragment(hash) {
  const match = /^#(r|together)=([A-Za-z0-9_-]+)$/.exec(hash ?? "");
  return match ? { view: match[1] === "r" ? "shared" : "together", code: match[2] } : null;
}

/** The fragment for a view of shared ratings ("" for the visitor's own list). */
export function fragmentFor(view, code) {
  if (!code || view === "own") return "";
  return `#${view === "together" ? "together" : "r"}=${code}`;
}

/** The address a friend opens: this page (without its query or fragment) and the ratings. */
export function shareUrl(pageUrl, pairs) {
  const url = new URL(pageUrl);
  return `${url.origin}${url.pathname}#r=${encodeRatings(pairs)}`;
}
