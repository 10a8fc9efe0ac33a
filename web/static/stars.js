// A star rating as a radio group (the ARIA radio pattern): one Tab stop, the arrow keys move
// and choose (they stop at either end rather than wrap: a rating is a scale), Home and End
// jump to the ends, a digit to that many stars, Space or Enter chooses the focused star, and
// every star has its own name ("4.5 stars"). With nothing chosen, the first star takes the
// focus and none is drawn filled: each new movie starts empty.
// MovieLens's half stars are two radios per star (its left and right half); other scales one
// radio per step. Each radio is at least 24 px wide (WCAG 2.2's target size).
// The key logic is pure (unit-tested in web/tests/stars.test.js); starControl draws it.

const SVG = "http://www.w3.org/2000/svg";
const STAR = "M12 1.8l3.1 6.4 7 1-5.1 4.9 1.2 7-6.2-3.3-6.2 3.3 1.2-7L1.9 9.2l7-1z";

/** The ratings a visitor can give, ascending, from the page's ``data-rating-choices``. */
export function parseChoices(text) {
  return String(text ?? "").split(" ").filter(Boolean).map(Number)
    .filter(Number.isFinite).sort((a, b) => a - b);
}

/** A rating in words, as a screen reader says a star: "1 star", "4.5 stars". */
export const starLabel = (value) => `${value} star${value === 1 ? "" : "s"}`;

/**
 * The star a key moves to, from the focused one (``at``, an index into ``choices``, ascending),
 * or null when the key is not the group's. Right and Up go one step up, Left and Down one down
 * (stopping at the ends), Home and End to the ends, Space and Enter stay (choosing the focused
 * star), a digit to that many whole stars when the scale has them ("0" is 10 on a scale to 10).
 */
export function keyTarget(key, at, choices) {
  const last = choices.length - 1;
  switch (key) {
    case "ArrowRight": case "ArrowUp": return Math.min(at + 1, last);
    case "ArrowLeft": case "ArrowDown": return Math.max(at - 1, 0);
    case "Home": return 0;
    case "End": return last;
    case " ": case "Enter": return at;
    default: break;
  }
  if (!/^[0-9]$/.test(key)) return null;
  const wanted = key === "0" && choices.includes(10) ? 10 : Number(key);
  const found = choices.indexOf(wanted);
  return found >= 0 ? found : null;
}

/** How each choice is drawn: the left or right half of a star, a whole star, or "0". */
export function starShapes(choices) {
  const halves = choices.some((value) => value % 1 !== 0);
  return choices.map((value) => {
    if (value === 0) return "zero";
    if (!halves) return "whole";
    if (value % 1 !== 0) return "left";
    return choices.includes(value - 0.5) ? "right" : "whole";
  });
}

/** A star: its outline's shape drawn twice, the second ("fill") coloured when chosen (and
 * clipped to its left half for a half star shown). */
function starIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const part of ["base", "fill"]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", STAR);
    path.setAttribute("class", part);
    svg.append(path);
  }
  return svg;
}

/**
 * A radio group of ``choices`` (ascending) named ``label``, ``value`` chosen (null: none).
 * ``onChange(value)`` is called when the visitor chooses. Returns the group's element, with
 * ``setValue(value)`` to show a value without calling onChange, and ``focusStars()``.
 */
export function starControl({ choices, value = null, label, onChange, compact = false }) {
  const group = document.createElement("div");
  const shapes = starShapes(choices);
  group.className = `stars${compact ? " compact" : ""}${choices.length > 10 || (!shapes.includes("left") && choices.length > 5) ? " many" : ""}`;
  group.setAttribute("role", "radiogroup");
  group.setAttribute("aria-label", label);
  let checked = choices.indexOf(value);
  const radios = choices.map((choice, i) => {
    const radio = document.createElement("span");
    radio.setAttribute("role", "radio");
    radio.setAttribute("aria-label", starLabel(choice));
    radio.dataset.value = String(choice);
    radio.className = `star ${shapes[i]}`;
    if (shapes[i] === "zero") radio.textContent = "0";
    else radio.append(starIcon());
    radio.addEventListener("click", () => choose(i));
    return radio;
  });
  group.append(...radios);

  function paint() {
    const focusable = checked >= 0 ? checked : 0;
    radios.forEach((radio, i) => {
      radio.setAttribute("aria-checked", String(i === checked));
      radio.classList.toggle("on", checked >= 0 && i <= checked && shapes[i] !== "zero");
      radio.tabIndex = i === focusable ? 0 : -1;
    });
    group.dataset.value = checked >= 0 ? String(choices[checked]) : "";
  }
  function choose(i) {
    radios[i].focus();
    if (i === checked) return;
    checked = i;
    paint();
    onChange(choices[i]);
  }
  group.addEventListener("keydown", (event) => {
    const at = radios.indexOf(document.activeElement);
    const target = at < 0 ? null : keyTarget(event.key, at, choices);
    if (target === null) return;
    event.preventDefault();
    choose(target);
  });
  paint();
  group.setValue = (next) => {
    checked = choices.indexOf(next);
    paint();
  };
  group.focusStars = () => radios[checked >= 0 ? checked : 0].focus();
  return group;
}

/** Stars to look at, not to press: ``value`` of ``high``, in words for a screen reader. */
export function starsShown(value, high) {
  const shown = document.createElement("span");
  shown.className = "stars-shown";
  shown.setAttribute("role", "img");
  shown.setAttribute("aria-label", starLabel(value));
  const whole = Math.min(5, high);
  const scaled = high > 5 ? (value / high) * 5 : value;
  for (let i = 1; i <= whole; i += 1) {
    const star = starIcon();
    const fill = scaled >= i ? "on" : scaled >= i - 0.5 ? "half" : "off";
    star.setAttribute("class", fill);
    shown.append(star);
  }
  return shown;
}
