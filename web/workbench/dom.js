// dom.js - the one helper the workbench's modules build their elements
// with: el("tag", {attributes, class, text}, ...children).
//
// SPDX-License-Identifier: Apache-2.0
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
