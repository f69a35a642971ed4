// chart.js - a bar chart drawn as SVG by hand, for the impact run's
// distribution of benefit changes (POST /v1/impact: benefit.distribution,
// one bucket per kind of change with its count of decisions).  No chart
// library: a few rectangles and labels are all it needs.
//
// SPDX-License-Identifier: Apache-2.0

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// bars: [{label, value}]; returns an <svg> with one bar per entry, its
// count above it and its label below.
export function barChart(bars, title) {
  const w = 46, gap = 10, top = 34, h = 140, bottom = 64, left = 40;
  const width = left * 2 + bars.length * (w + gap);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const root = svg("svg", { class: "chart", width, height: top + h + bottom, viewBox: `0 0 ${width} ${top + h + bottom}`,
    role: "img", "aria-label": title });
  root.append(svg("title", {}, title));
  root.append(svg("text", { x: left, y: 12 }, title));
  root.append(svg("line", { x1: left, x2: width - left, y1: top + h, y2: top + h, stroke: "#999" }));
  bars.forEach((b, i) => {
    const x = left + i * (w + gap), bh = Math.round((b.value / max) * h);
    const bar = svg("rect", { class: "bar", x, y: top + h - bh, width: w, height: Math.max(bh, 0) });
    bar.append(svg("title", {}, `${b.label}: ${b.value}`));
    root.append(bar);
    root.append(svg("text", { x: x + w / 2, y: top + h - bh - 4, "text-anchor": "middle", "data-count": b.value }, String(b.value)));
    // labels slanted, ending under their bar, so that long ranges do not overlap
    root.append(svg("text", { x: x + w / 2 + 4, y: top + h + 14, "text-anchor": "end",
      transform: `rotate(-35 ${x + w / 2 + 4} ${top + h + 14})` }, b.label));
  });
  return root;
}
