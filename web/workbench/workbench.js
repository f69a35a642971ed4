// workbench.js - the officer's workbench: wires the page (index.html) to
// the API with the officer's token.
//
//   GET  /v1/policies, /v1/policies/{name}   the shipped policies, their text
//   GET  /v1/policies/{name}/schema          the household form (form.js)
//   POST /v1/check                           diagnostics as one types (debounced),
//                                            the text's tests, a trial evaluation
//   POST /v1/diff                            the candidate against the live version
//   POST /v1/impact                          the candidate over stored decisions
//
// The token stays in this tab's sessionStorage and goes only to this
// origin.  Nothing the page does makes a policy live.
//
// SPDX-License-Identifier: Apache-2.0
import { Editor } from "./editor.js";
import { buildForm, formInput, showErrors } from "./form.js";
import { barChart } from "./chart.js";
import { el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const CHECK_DELAY_MS = 400;    // typing pauses this long before a check
const state = { token: sessionStorage.getItem("eligo.officer") || "", policy: "", schemaFor: "", checkSeq: 0 };
let editor;

// Calls the API; resolves to {status, body} (body parsed when JSON).
async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = r.headers.get("Content-Type") || "";
  const parsed = type.includes("json") ? await r.json() : await r.text();
  return { status: r.status, body: parsed };
}

// A problem+json answer as one line for people.
function problemText(r) {
  const b = r.body || {};
  const errs = (b.errors || []).map((e) => e.pointer + ":" + e.detail).join(";");
  return `${r.status} ${b.title || ""}:${b.detail || ""}${errs ? "(" + errs + ")" : ""}`;
}

function today() { return new Date().toISOString().slice(0, 10); }

// ---- token and policies
async function useToken(e) {
  e?.preventDefault();
  state.token = $("token").value.trim() || state.token;
  sessionStorage.setItem("eligo.officer", state.token);
  const r = await api("GET", "/v1/policies");
  if (r.status !== 200) { $("token-state").textContent = "令牌无效:" + problemText(r); return; }
  $("token-state").textContent = "已登录";
  const sel = $("policy-select");
  sel.replaceChildren(...r.body.policies.map((p) => el("option", { value: p.name, text: `${p.title}(${p.name})` })));
}

async function openPolicy() {
  const name = $("policy-select").value;
  if (!name) return;
  const r = await api("GET", "/v1/policies/" + encodeURIComponent(name));
  if (r.status !== 200) { $("check-state").textContent = problemText(r); return; }
  state.fileName = (r.body.name.split(".").pop() || "candidate") + ".policy";
  editor.text = r.body.text;
  await check();
}

function openFile() {
  const f = $("file-input").files[0];
  if (!f) return;
  state.fileName = f.name;
  f.text().then((t) => { editor.text = t; check(); });
}

// ---- checking as one types
// A keystroke outdates any check already sent (it checked an older
// text), so it takes a new number here, not only when its own check
// starts: an answer to an older text must not land after "正在输入…"
// and show diagnostics for text no longer in the editor.
let timer = 0;
function scheduleCheck() {
  clearTimeout(timer);
  ++state.checkSeq;
  $("check-state").textContent = "正在输入…";
  timer = setTimeout(check, CHECK_DELAY_MS);
}

function renderDiagnostics(list) {
  const ul = $("diagnostics");
  if (!list.length) { ul.replaceChildren(el("li", { class: "ok", text: "没有诊断:政策可以编译" })); return; }
  ul.replaceChildren(...list.map((d) => {
    const where = d.line ? `第 ${d.line} 行第 ${d.col} 列` : "";
    const li = el("li", { class: d.severity, "data-line": d.line ?? "" },
      el("span", { class: "sev", text: d.severity === "error" ? "错误" : d.severity === "warning" ? "警告" : "提示" }),
      " ", where, ":", d.message, d.hint ? "(" + d.hint + ")" : "", el("pre", { text: d.text }));
    if (d.line) li.onclick = () => editor.goTo(d.line, d.col);
    return li;
  }));
}

// Checks the text now.  A check made as one types gives way to a newer
// one or to a later keystroke (its answer would describe an older
// text); one asked for by a button (asked) always answers.  The answer, or null when the route
// answered a problem (shown in the state line).
async function check(extra = {}, asked = false) {
  clearTimeout(timer);
  const seq = ++state.checkSeq;
  const r = await api("POST", "/v1/check", { text: editor.text, name: state.fileName || "candidate.policy", ...extra });
  if (seq !== state.checkSeq && !asked) return null;
  if (r.status !== 200) { $("check-state").textContent = problemText(r); return null; }
  const c = r.body;
  editor.setDiagnostics(c.diagnostics);
  renderDiagnostics(c.diagnostics);
  const errors = c.diagnostics.filter((d) => d.severity === "error").length;
  $("check-state").textContent = c.ok ? `可以编译:${c.policy}` : `${errors} 个错误`;
  $("check-state").className = c.ok ? "ok" : "bad";
  if (c.ok && c.policy !== state.policy) { state.policy = c.policy; loadSchema(); }
  return c;
}

// ---- tests
// What a run shows while it waits: the last run's result is gone, so
// nothing on the page belongs to an older text.
function busy(box, what) { box.replaceChildren(el("p", { class: "muted busy", text: what })); }

async function runTests() {
  const box = $("tests");
  busy(box, "正在运行测试…");
  const c = await check({}, true);
  if (!c) { busy(box, "检查失败,见上方状态"); return; }
  if (!c.tests) { box.replaceChildren(el("p", { class: "bad", text: "政策未能编译,无法运行测试" })); return; }
  const t = c.tests;
  box.replaceChildren(el("p", { class: t.failed ? "bad" : "ok", id: "tests-summary",
    text: `${t.passed} 项通过,${t.failed} 项失败` }),
  el("ul", {}, ...t.failures.map((f) => {
    const li = el("li", { text: `第 ${f.line} 行「${f.name}」(${f.as_of}):${f.message}` });
    li.onclick = () => editor.goTo(f.line, 1);
    return li;
  })));
}

// ---- the household form and a trial evaluation
async function loadSchema(input) {
  if (!state.policy) return;
  if (state.schemaFor !== state.policy || input) {
    const r = await api("GET", `/v1/policies/${encodeURIComponent(state.policy)}/schema`);
    if (r.status !== 200) {
      $("household-fields").replaceChildren(el("p", { class: "muted", text: "现行政策中没有 " + state.policy + ",无法生成表单:" + problemText(r) }));
      return;
    }
    state.schemaFor = state.policy;
    state.schema = r.body;
  }
  buildForm($("household-fields"), state.schema, input);
}

function outputsTable(decision) {
  const labels = new Map((decision.reasons || []).map((x) => [x.output, x.label]));
  return el("table", { class: "outputs" }, el("tr", {}, el("th", { text: "结果" }), el("th", { text: "值" }), el("th", { text: "说明" })),
    ...Object.entries(decision.outputs).map(([k, v]) =>
      el("tr", { "data-output": k }, el("td", { text: k }), el("td", { text: typeof v === "boolean" ? (v ? "是" : "否") : String(v) }),
        el("td", { text: labels.get(k) || "" }))));
}

async function evaluate(e) {
  e.preventDefault();
  const req = { policy: state.policy, input: formInput($("household-fields")), explain: true };
  if ($("as-of").value) req.as_of = $("as-of").value;
  const out = $("evaluation");
  busy(out, "正在试算…");
  const c = await check({ evaluate: req }, true);
  if (!c) { busy(out, "检查失败,见上方状态"); return; }
  if (!c.ok) { out.replaceChildren(el("p", { class: "bad", text: "政策未能编译,无法试算" })); return; }
  if (c.evaluation_error) {
    const rest = showErrors($("household-fields"), c.evaluation_error.errors);
    out.replaceChildren(el("p", { class: "bad", id: "evaluation-error", text: c.evaluation_error.detail }),
      ...rest.map((x) => el("p", { class: "bad", text: x.pointer + ":" + x.detail })));
    return;
  }
  showErrors($("household-fields"), []);
  const d = c.evaluation;
  out.replaceChildren(outputsTable(d), el("h3", { text: "申请人将读到的说明" }),
    el("pre", { class: "letter", id: "explanation", text: d.explanation?.text || "" }));
}

// ---- diff against the live version
const DIFF_SHOWN = 8;   // regions listed at once; the rest fold under 其余

function valueText(v) { return typeof v === "boolean" ? (v ? "是" : "否") : String(v); }

// A witness: the button that evaluates it under the candidate, and the
// request with both versions' outputs folded beside it.
function witnessCell(g) {
  const w = g.witness;
  if (!w) return el("td", { text: "(未找到例证)" });
  const use = el("button", { type: "button", class: "use-witness", text: "用此家庭试算" });
  use.onclick = async () => {
    if (w.as_of) $("as-of").value = w.as_of;
    await loadSchema(w.input);
    $("evaluate-box").open = true;
    $("household-form").requestSubmit();
    $("evaluate-box").scrollIntoView();
  };
  const o = g.witness_outputs || {};
  return el("td", { class: "witness-cell" }, use, el("details", {},
    el("summary", { text: "例证", title: g.confirmed ? "两个版本对此家庭的结果确实不同" : "" }),
    el("pre", { class: "json witness", text: JSON.stringify(w.input) }),
    el("pre", { class: "json", text: "现行:" + JSON.stringify(o.old) + "\n候选:" + JSON.stringify(o.new) })));
}

function regionRow(g, i) {
  const changes = el("ul", { class: "changes" }, ...g.changes.map((ch) =>
    el("li", { title: ch.label || "" }, `${ch.output}:${valueText(ch.old)} → ${valueText(ch.new)}${ch.delta ? "(" + ch.delta + ")" : ""}`)));
  return el("tr", { class: "region", "data-region": i }, el("td", { text: g.description + (g.exact ? "" : "(未精确判定)") }),
    el("td", {}, changes), witnessCell(g));
}

function regionTable(regions, from) {
  return el("table", { class: "regions" },
    el("tr", {}, el("th", { text: "区域" }), el("th", { text: "结果的变化" }), el("th", { text: "例证家庭" })),
    ...regions.map((g, i) => regionRow(g, from + i)));
}

async function runDiff() {
  const box = $("diff");
  busy(box, "正在比较…");
  const c = await check({}, true);
  if (!c || !c.ok) { box.replaceChildren(el("p", { class: "bad", id: "diff-summary", text: "政策未能编译,无法比较" })); return; }
  const req = { policy: c.policy, text: editor.text };
  if ($("diff-as-of").value) req.as_of = $("diff-as-of").value;
  const r = await api("POST", "/v1/diff", req);
  if (r.status !== 200) { box.replaceChildren(el("p", { class: "bad", id: "diff-summary", text: problemText(r) })); return; }
  const d = r.body;
  const head = el("p", { id: "diff-summary", class: d.equivalent ? "ok" : "bad",
    text: d.equivalent ? "与现行版本在所有家庭上的结果相同(已证明)" : `与现行版本有 ${d.regions.length + d.truncated} 个区域结果不同` +
      (d.exact ? "(精确)" : "(部分区域未能精确判定,以例证为准)") });
  const shown = d.regions.slice(0, DIFF_SHOWN), rest = d.regions.slice(DIFF_SHOWN);
  box.replaceChildren(...[head, ...d.notes.map((n) => el("p", { class: "muted", text: n })),
    d.regions.length ? regionTable(shown, 0) : null,
    rest.length ? el("details", {}, el("summary", { text: `其余 ${rest.length} 个区域` }), regionTable(rest, DIFF_SHOWN)) : null,
    d.truncated ? el("p", { class: "muted", text: `另有 ${d.truncated} 个区域未列出` }) : null].filter(Boolean));
}

// ---- impact over stored decisions
const IMPACT_LABELS = [["checked", "检查的决定"], ["failed", "候选版本无法决定"], ["tampered", "校验未通过"]];

async function runImpact() {
  const box = $("impact");
  busy(box, "正在评估…");
  const req = { policy_text: editor.text, from: $("impact-from").value, to: $("impact-to").value };
  const r = await api("POST", "/v1/impact", req);
  if (r.status !== 200) { box.replaceChildren(el("p", { class: "bad", text: problemText(r) })); return; }
  const m = r.body, e = m.eligibility, b = m.benefit;
  const row = (k, label, v) => el("tr", { "data-count": k }, el("td", { text: label }), el("td", { text: String(v) }));
  const rows = [...IMPACT_LABELS.map(([k, l]) => row(k, l, m[k])),
    row("became_eligible", "由不符合变为符合", e.became_eligible), row("lost_eligibility", "由符合变为不符合", e.lost_eligibility),
    row("stayed_eligible", "仍符合", e.stayed_eligible), row("stayed_ineligible", "仍不符合", e.stayed_ineligible)];
  if (b.output) rows.push(row("up", `${b.output} 增加`, b.up), row("down", `${b.output} 减少`, b.down), row("same", `${b.output} 不变`, b.same),
    row("change", `${b.output} 合计变化(${b.total_before} → ${b.total_after})`, b.change));
  box.replaceChildren(el("table", { id: "impact-table" }, ...rows));
  if (b.output) box.append(barChart(b.distribution.map((x) => ({ label: x.change, value: x.decisions })), `${b.output} 变化的分布(元)`));
}

function init() {
  editor = new Editor($("source"), $("highlight"), $("gutter"));
  $("source").addEventListener("input", scheduleCheck);
  $("token-form").addEventListener("submit", useToken);
  $("open-policy").addEventListener("click", openPolicy);
  $("file-input").addEventListener("change", openFile);
  $("run-tests").addEventListener("click", runTests);
  $("household-form").addEventListener("submit", evaluate);
  $("run-diff").addEventListener("click", runDiff);
  $("run-impact").addEventListener("click", runImpact);
  const t = today();
  $("impact-to").value = t;
  $("impact-from").value = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10);
  editor.render();
  if (state.token) useToken();
}

init();
