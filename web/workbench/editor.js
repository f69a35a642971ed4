// editor.js - the workbench's policy editor: a textarea over a <pre>
// that shows the same text coloured by the policy language's tokens,
// the compiler's diagnostics underlined where they point, and a gutter
// of line numbers marking the lines that have one.
//
// Diagnostics come from POST /v1/check with 1-based lines and columns
// counted in code points (as `eligo check` prints them), so columns are
// counted over Array.from(line), never over UTF-16 units.
//
// SPDX-License-Identifier: Apache-2.0

// The keywords of the policy language (grammar/lexer.l).
const KEYWORDS = new Set(("policy model tests jurisdiction source assumption covers to use enum entity " +
  "parameter from until let output unless then table hit unique any priority first rule_order " +
  "output_order collect sum min max count all else assert refuse test as of given expect error if " +
  "and or not true false list map per month year once for in where at as_of days day months years " +
  "bool int decimal money date text unit reason label contains").split(" "));

const TOKEN = /(#.*$)|("(?:[^"\\]|\\.)*"?)|(\b\d{4}-\d{2}-\d{2}\b)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

function esc(s) {
  return s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

// A string literal, with its {placeholders} (labels' values) marked.
function stringHtml(s) {
  return '<span class="tok-str">' + esc(s).replace(/\{[A-Za-z_][A-Za-z0-9_.]*\}/g,
    (m) => '<span class="tok-ph">' + m + "</span>") + "</span>";
}

// One line of text as coloured HTML.
export function highlightLine(line) {
  let out = "", last = 0;
  for (const m of line.matchAll(TOKEN)) {
    out += esc(line.slice(last, m.index));
    const [t, com, str, date, num, word] = m;
    if (com) out += '<span class="tok-com">' + esc(t) + "</span>";
    else if (str) out += stringHtml(t);
    else if (date) out += '<span class="tok-date">' + t + "</span>";
    else if (num) out += '<span class="tok-num">' + t + "</span>";
    else if (word && KEYWORDS.has(word)) out += '<span class="tok-kw">' + t + "</span>";
    else out += esc(t);
    last = m.index + t.length;
  }
  return out + esc(line.slice(last));
}

// The line with [from, to) (code points, 0-based) wrapped in a mark: the
// span is shown plain (not coloured) so that the underline is exact.
function markedLine(line, from, to, severity, message) {
  const cps = Array.from(line);
  if (from >= cps.length) { cps.push(" "); }
  const end = Math.max(from + 1, Math.min(to, cps.length));
  const title = esc(message).replace(/"/g, "&quot;");
  return highlightLine(cps.slice(0, from).join("")) +
    '<mark class="diag ' + severity + '" title="' + title + '">' + esc(cps.slice(from, end).join("")) + "</mark>" +
    highlightLine(cps.slice(end).join(""));
}

export class Editor {
  constructor(textarea, highlight, gutter) {
    this.ta = textarea;
    this.hl = highlight;
    this.gutter = gutter;
    this.diagnostics = [];
    this.ta.addEventListener("input", () => this.render());
    this.ta.addEventListener("scroll", () => this.syncScroll());
    this.ta.addEventListener("keydown", (e) => this.tab(e));
  }

  get text() { return this.ta.value; }

  set text(t) {
    this.ta.value = t;
    this.diagnostics = [];
    this.render();
    this.ta.scrollTop = 0;
  }

  // Tab inserts two spaces rather than leaving the editor.
  tab(e) {
    if (e.key !== "Tab" || e.shiftKey) return;
    e.preventDefault();
    this.ta.setRangeText("  ", this.ta.selectionStart, this.ta.selectionEnd, "end");
    this.render();
  }

  setDiagnostics(list) {
    this.diagnostics = list.filter((d) => d.line);
    this.render();
  }

  // The first diagnostic of each line: the one the line shows.
  byLine() {
    const m = new Map();
    for (const d of this.diagnostics) if (!m.has(d.line)) m.set(d.line, d);
    return m;
  }

  render() {
    const lines = this.ta.value.split("\n");
    const marks = this.byLine();
    const html = [], gut = [];
    lines.forEach((line, i) => {
      const n = i + 1, d = marks.get(n);
      const sev = d ? d.severity : "";
      let body = highlightLine(line);
      if (d) {
        const to = d.end_line === n ? d.end_col - 1 : Array.from(line).length;
        body = markedLine(line, d.col - 1, to, sev, d.message);
      }
      html.push('<span class="line ' + sev + '" data-line="' + n + '">' + body + "</span>");
      const title = d ? ' title="' + esc(d.message).replace(/"/g, "&quot;") + '"' : "";
      gut.push('<span class="gl ' + sev + '" data-line="' + n + '"' + title + ">" + (d ? "● " : "") + n + "</span>");
    });
    // a trailing newline keeps the last line's height when the text ends with one
    this.hl.innerHTML = html.join("\n") + "\n";
    this.gutter.innerHTML = gut.join("");
    this.syncScroll();
  }

  syncScroll() {
    this.hl.scrollTop = this.ta.scrollTop;
    this.hl.scrollLeft = this.ta.scrollLeft;
    this.gutter.scrollTop = this.ta.scrollTop;
  }

  // Puts the caret at a 1-based line and code-point column and shows it.
  goTo(line, col) {
    const lines = this.ta.value.split("\n");
    let off = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
    const prefix = Array.from(lines[line - 1] || "").slice(0, Math.max(0, col - 1)).join("");
    this.ta.focus();
    this.ta.setSelectionRange(off + prefix.length, off + prefix.length);
    const lh = parseFloat(getComputedStyle(this.ta).lineHeight) || 20;
    this.ta.scrollTop = Math.max(0, (line - 5) * lh);
    this.syncScroll();
  }
}
