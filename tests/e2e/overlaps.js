// Every visible line of text (a Range's rectangles, not the element's box) and every
// control, chart and picture, clipped by the boxes of its scrolling or clipping ancestors;
// then every pair of them from elements that do not contain one another, overlapping by
// more than `tolerance` pixels each way.
// Called by tests/e2e/layout.py with [selector, tolerance].
([selector, tolerance]) => {
  const boxes = [];
  const clipped = (el, rect) => {
    let r = {left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom};
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      const clips = s.overflowX !== "visible" || s.overflowY !== "visible" || s.clip !== "auto"
        || (s.clipPath && s.clipPath !== "none");
      if (!clips) continue;
      const b = a.getBoundingClientRect();
      if (s.clip !== "auto" && s.clip.startsWith("rect(0")) return null;
      r = {left: Math.max(r.left, b.left), top: Math.max(r.top, b.top),
           right: Math.min(r.right, b.right), bottom: Math.min(r.bottom, b.bottom)};
    }
    return r.right - r.left >= 1 && r.bottom - r.top >= 1 ? r : null;
  };
  const shown = (el) => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || !shown(el)) continue;
      // A map draws its own controls over itself: it counts as one picture (below).
      if (el.closest("select, option, script, style, template, noscript, .leaflet-container")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        const r = clipped(el, rect);
        if (r) boxes.push({el, r, text: node.textContent.trim().slice(0, 40)});
      }
    }
    for (const el of root.querySelectorAll("input:not([type=hidden]), select, textarea, button, canvas, img, svg, .leaflet-container")) {
      if (!shown(el) || el.parentElement.closest(".leaflet-container")) continue;
      const r = clipped(el, el.getBoundingClientRect());
      if (r) boxes.push({el, r, text: "<" + el.tagName.toLowerCase() + " " + (el.name || el.id || "") + ">"});
    }
  }
  boxes.sort((a, b) => a.r.top - b.r.top);
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].r.top < a.r.bottom - tolerance; j++) {
      const b = boxes[j];
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > tolerance && h > tolerance) {
        found.push(`${JSON.stringify(a.text)} overlaps ${JSON.stringify(b.text)} at y=${Math.round(a.r.top + scrollY)}`);
      }
    }
  }
  return found;
}
