// The visible tables wider than the box that holds them (cut, or scrolled sideways), each
// described by its width, its box's and its headings. Tables kept for screen readers only
// (in a box of 1 px) are not drawn. Called by tests/e2e/layout.py and docs/screenshots.py.
() => [...document.querySelectorAll("table")].flatMap((table) => {
  const box = table.getBoundingClientRect();
  if (!table.offsetParent || box.width <= 1) return [];
  let holder = table.parentElement;
  while (holder && holder !== document.body && getComputedStyle(holder).overflowX === "visible") {
    holder = holder.parentElement;
  }
  const width = holder && holder !== document.body
    ? holder.clientWidth : document.documentElement.clientWidth;
  if (width <= 1 || box.width <= width + 1) return [];
  const heads = [...table.querySelectorAll("thead th")]
    .map((th) => th.textContent.trim().replace(/\s+/g, " ")).join(" | ");
  return [`a table ${Math.round(box.width)} px wide in ${width} px: ${heads}`];
})
