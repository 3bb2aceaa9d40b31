// Where the feedback popover goes (pure: rectangles in, a position out). On a narrow screen it
// is a sheet along the bottom; otherwise it opens below the mark, or above it when there is no
// room below, kept inside the window.

export const SHEET_BELOW = 600; // px of window width under which the popover is a sheet
const GAP = 6;
const EDGE = 8;

/**
 * mark: the mark's {top, bottom, left} in the window; pop: the popover's {width, height};
 * view: the window's {width, height}; scroll: {x, y}. Returns {sheet: true} or
 * {sheet: false, top, left} in page coordinates.
 */
export function place({ mark, pop, view, scroll }) {
  if (view.width < SHEET_BELOW) return { sheet: true };
  const below = view.height - mark.bottom - GAP;
  const above = mark.top - GAP;
  const top = below >= pop.height || below >= above
    ? mark.bottom + GAP
    : Math.max(EDGE, mark.top - GAP - pop.height);
  const left = Math.max(EDGE, Math.min(mark.left, view.width - pop.width - EDGE));
  return { sheet: false, top: Math.round(top + scroll.y), left: Math.round(left + scroll.x) };
}
