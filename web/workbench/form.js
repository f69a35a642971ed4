// form.js - a household form generated from a policy's JSON Schema
// (GET /v1/policies/{name}/schema, io/json_schema.c), and the input it
// makes.
//
// The schema's `input` member describes the policy's model: objects,
// lists of objects, enums (oneOf const + title), booleans, integers,
// money and decimals (anyOf a decimal string or a number) and dates.
// Every field is labelled with the model's Chinese label (`title`).
// Required fields are shown first; the others are folded under 其他字段
// and sent only when filled, so the model's defaults apply as they do
// for a portal.  Each control carries its JSON Pointer into the input
// (data-pointer), which is how a problem's `errors` are shown at their
// field.
//
// SPDX-License-Identifier: Apache-2.0
import { el } from "./dom.js";

function kind(s) {
  if (s.oneOf && s.oneOf.every((o) => "const" in o)) return "enum";
  if (s.anyOf) return "decimal";
  if (s.type === "string" && s.format === "date") return "date";
  return s.type;
}

function defaultText(s) {
  if (!("default" in s)) return "";
  if (kind(s) === "enum") {
    const o = s.oneOf.find((x) => x.const === s.default);
    return o ? o.title : String(s.default);
  }
  if (s.type === "boolean") return s.default ? "是" : "否";
  return String(s.default);
}

// One scalar control; `value` is what to show (undefined: empty).
function control(s, pointer, value) {
  const k = kind(s), dflt = defaultText(s);
  let c;
  if (k === "enum" || k === "boolean") {
    c = el("select");
    c.append(el("option", { value: "", text: dflt ? "(默认:" + dflt + ")" : "(请选择)" }));
    const opts = k === "enum" ? s.oneOf.map((o) => [o.const, o.title])
      : [["true", "是"], ["false", "否"]];
    for (const [v, t] of opts) c.append(el("option", { value: String(v), text: t }));
    if (value !== undefined) c.value = String(value);
  } else {
    c = el("input", { type: k === "integer" ? "number" : k === "date" ? "date" : "text" });
    if (k === "decimal") c.setAttribute("inputmode", "decimal");
    if (dflt) c.placeholder = "默认 " + dflt;
    else if (s.examples) c.placeholder = "例如 " + s.examples[0];
    if (value !== undefined) c.value = String(value);
  }
  c.dataset.pointer = pointer;
  c.dataset.kind = k;
  return c;
}

function fieldRow(name, s, pointer, value) {
  const id = "f" + pointer.replace(/[^A-Za-z0-9]/g, "_");
  const c = control(s, pointer, value);
  c.id = id;
  return el("div", { class: "field", "data-pointer": pointer },
    el("label", { for: id, text: s.title || name, title: s.description || "" }), c);
}

// An object's fields into parent: required ones, then the rest folded.
function objectFields(parent, s, pointer, value) {
  const req = new Set(s.required || []);
  const names = Object.keys(s.properties || {});
  const optional = el("details", { class: "optional" }, el("summary", { text: "其他字段(不填则用默认值)" }));
  let nopt = 0;
  for (const name of [...names.filter((n) => req.has(n)), ...names.filter((n) => !req.has(n))]) {
    const fs = s.properties[name], p = pointer + "/" + name;
    const v = value ? value[name] : undefined;
    const into = req.has(name) || fs.type === "array" || v !== undefined ? parent : optional;
    if (into === optional) nopt++;
    into.append(node(name, fs, p, v));
  }
  if (nopt) parent.append(optional);
}

function listNode(name, s, pointer, value) {
  const box = el("fieldset", { "data-pointer": pointer, "data-list": "1" }, el("legend", { text: s.title || name }));
  const items = el("div", { class: "items" });
  const add = (v) => {
    const i = items.children.length;
    const item = el("fieldset", { class: "item" }, el("legend", { text: (s.items.title || "项") + " " + (i + 1) }));
    if (s.items.type !== "object") item.dataset.scalar = "1";
    if (s.items.type === "object") objectFields(item, s.items, pointer + "/" + i, v);
    else item.append(fieldRow(String(i), s.items, pointer + "/" + i, v));
    const del = el("button", { type: "button", text: "删除" });
    del.onclick = () => { item.remove(); renumber(items, pointer); };
    item.append(del);
    items.append(item);
  };
  const values = Array.isArray(value) ? value : [];
  if (values.length) values.forEach(add);
  else for (let i = 0; i < Math.max(1, s.minItems || 0); i++) add(undefined);
  const more = el("button", { type: "button", text: "添加" + (s.items.title || "项") });
  more.onclick = () => add(undefined);
  box.append(items, more);
  return box;
}

// After a deletion the items' pointers and legends follow their places.
function renumber(items, pointer) {
  [...items.children].forEach((item, i) => {
    item.querySelector("legend").textContent = item.querySelector("legend").textContent.replace(/\d+$/, String(i + 1));
    for (const c of item.querySelectorAll("[data-pointer]")) {
      const rest = c.dataset.pointer.slice(pointer.length + 1).replace(/^\d+/, String(i));
      c.dataset.pointer = pointer + "/" + rest;
    }
  });
}

function node(name, s, pointer, value) {
  if (s.type === "array") return listNode(name, s, pointer, value);
  if (s.type === "object") {
    const fs = el("fieldset", { "data-pointer": pointer }, el("legend", { text: s.title || name }));
    objectFields(fs, s, pointer, value);
    return fs;
  }
  return fieldRow(name, s, pointer, value);
}

// Builds the form for the schema's input into container, filled with
// input (a request's `input`, e.g. a witness household) when given.
export function buildForm(container, schema, input) {
  container.replaceChildren();
  const inputSchema = schema.properties.input;
  objectFields(container, inputSchema, "", input);
}

function scalar(c) {
  const v = c.value.trim();
  if (v === "") return undefined;
  switch (c.dataset.kind) {
  case "boolean": return v === "true";
  case "integer": return /^-?\d+$/.test(v) ? Number(v) : v;   // eligod names what is wrong
  default: return v;                                          // money stays a string: exact
  }
}

function collectObject(root) {
  const out = {};
  for (const child of root.children) {
    if (child.tagName === "DETAILS") { Object.assign(out, collectObject(child)); continue; }
    const p = child.dataset.pointer;
    if (!p) continue;
    const name = p.split("/").pop();
    let v;
    if (child.dataset.list) {
      v = [...child.querySelector(".items").children].map((item) =>
        item.dataset.scalar ? scalar(item.querySelector("input, select")) : collectObject(item));
    } else if (child.tagName === "FIELDSET") {
      v = collectObject(child);
    } else {
      v = scalar(child.querySelector("input, select"));
    }
    if (v !== undefined) out[name] = v;
  }
  return out;
}

// The input the form holds, as a request's `input` member.
export function formInput(container) { return collectObject(container); }

// Shows a problem's errors at their fields (pointers under /input);
// returns the ones that have no field here.
export function showErrors(container, errors) {
  for (const f of container.querySelectorAll(".field.invalid")) {
    f.classList.remove("invalid");
    f.querySelector(".err")?.remove();
  }
  const rest = [];
  for (const e of errors || []) {
    const p = (e.pointer || "").replace(/^\/input/, "");
    const f = container.querySelector('.field[data-pointer="' + CSS.escape(p) + '"]');
    if (!f) { rest.push(e); continue; }
    f.classList.add("invalid");
    f.closest("details")?.setAttribute("open", "");
    f.append(el("span", { class: "err", text: e.detail }));
  }
  return rest;
}
