// jixiao serve: the page. Plain JavaScript, no libraries, nothing fetched from elsewhere.
// The server does the work (check, score, explain, save); this page shows it.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const state = {
  tabs: [],            // {path, text, saved, problems, kind}
  active: null,        // path of the tab shown
  rulebook: null,      // path of the rulebook being scored
  casePath: null,      // path of the case whose rows and claims are used
  form: [],            // fields of the case form
  values: {},          // the form's values by input name
  lang: "both",
};
const timers = {};

function later(key, ms, fn) {
  clearTimeout(timers[key]);
  timers[key] = setTimeout(fn, ms);
}

async function api(route, body) {
  const r = await fetch("/api/" + route, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Jixiao-Token": TOKEN },
    body: JSON.stringify(body || {}),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || String(r.status));
  return j;
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "style") Object.assign(e.style, v);      // through the CSSOM: the page's CSP allows no style attributes
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function status(text) { $("status").textContent = text; }
const tab = (path) => state.tabs.find((t) => t.path === path);
const isCase = (path) => path && path.endsWith(".jxc");
const isRulebook = (path) => path && path.endsWith(".jx");

// (line, column in code points) -> index into the textarea's UTF-16 text
function indexOf(text, line, col) {
  let i = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf("\n", i);
    if (nl < 0) return text.length;
    i = nl + 1;
  }
  for (let c = 0; c < col && i < text.length && text[i] !== "\n"; c++) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return i;
}

// ── files and tabs ──
async function openFile(path, focus = true) {
  let t = tab(path);
  if (!t) {
    const r = await api("open", { path });
    t = { path, text: r.text, saved: r.text, problems: [], kind: null };
    state.tabs.push(t);
  }
  if (isRulebook(path) && !state.rulebook) state.rulebook = path;
  if (isCase(path)) state.casePath = path;
  if (focus) show(path);
  await check(t);
}

function show(path) {
  state.active = path;
  const t = tab(path);
  $("text").value = t.text;
  renderTabs();
  renderProblems(t);
  renderGutter(t);
}

function renderTabs() {
  const box = $("tabs");
  box.replaceChildren(...state.tabs.map((t) => el("button", {
    type: "button", role: "tab", "data-path": t.path,
    class: (t.path === state.active ? "active" : "") + (t.text !== t.saved ? " dirty" : ""),
    title: t.path, onclick: () => show(t.path),
  }, t.path.split("/").pop())));
}

// ── diagnostics ──
async function check(t) {
  const text = t.text;
  const r = await api("check", { path: t.path, text });
  if (t.text !== text) return;                 // typed on meanwhile: the next check is coming
  t.problems = r.problems;
  t.kind = r.kind;
  if (r.kind === "rulebook" && r.form && t.path === state.rulebook) setForm(r.form);
  if (t.path === state.active) { renderProblems(t); renderGutter(t); }
  if (t.path === state.casePath) await loadCase();
  if (t.path === state.rulebook || t.path === state.casePath) await score();
}

function renderProblems(t) {
  const box = $("problems");
  if (!t.problems.length) {
    box.replaceChildren(el("div", { class: "clean" }, "没有问题 / no problems"));
    return;
  }
  box.replaceChildren(...t.problems.map((p) => {
    const [line, col] = p.range;
    const fixes = p.actions.map((a) => el("button", { type: "button", onclick: (ev) => { ev.stopPropagation(); applyAction(t, a); } }, a.title));
    return el("div", { class: "problem " + p.severity, "data-code": p.code, onclick: () => reveal(p) },
      el("span", { class: "code" }, `${p.severity}[${p.code}]`),
      el("span", { class: "where" }, `${line + 1}:${col + 1}`), p.message, ...fixes);
  }));
}

function renderGutter(t) {
  const n = t.text.split("\n").length;
  const worst = {};
  const rank = { error: 3, warning: 2, info: 1 };
  for (const p of t.problems) {
    const l = p.range[0];
    if (!worst[l] || rank[p.severity] > rank[worst[l]]) worst[l] = p.severity;
  }
  const g = $("gutter");
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(worst[i] ? el("span", { class: worst[i] }, String(i + 1)) : String(i + 1));
    lines.push("\n");
  }
  g.replaceChildren(...lines);
  g.scrollTop = $("text").scrollTop;
}

function reveal(p) {
  const ta = $("text");
  const [l, c, el_, ec] = p.range;
  const a = indexOf(ta.value, l, c), b = indexOf(ta.value, el_, ec);
  ta.focus();
  ta.setSelectionRange(a, Math.max(a, b));
  ta.scrollTop = Math.max(0, l * 20 - ta.clientHeight / 3);
}

function applyAction(t, action) {
  let text = t.text;
  const edits = action.edits.map(([l, c, el_, ec, s]) => [indexOf(text, l, c), indexOf(text, el_, ec), s]);
  edits.sort((x, y) => y[0] - x[0]);
  for (const [a, b, s] of edits) text = text.slice(0, a) + s + text.slice(b);
  setText(t, text);
}

function setText(t, text) {
  t.text = text;
  if (t.path === state.active) {
    const ta = $("text"), pos = ta.selectionStart;
    ta.value = text;
    ta.setSelectionRange(Math.min(pos, text.length), Math.min(pos, text.length));
  }
  renderTabs();
  check(t).catch((e) => status(e.message));
}

// ── the case form ──
function setForm(fields) {
  const sig = JSON.stringify(fields);
  if (sig === state.formSig) return;
  state.formSig = sig;
  state.form = fields;
  const groups = new Map();
  for (const f of fields) {
    if (!groups.has(f.group)) groups.set(f.group, []);
    groups.get(f.group).push(f);
  }
  const sets = [];
  for (const [group, fs] of groups) {
    sets.push(el("fieldset", {}, el("legend", {}, group.split(" / ").pop() || "规则集 / rulebook"), ...fs.map(field)));
  }
  $("form").replaceChildren(...sets);
}

function field(f) {
  const id = "in-" + f.name;
  const v = state.values[f.name];
  const set = (value) => { state.values[f.name] = value; later("score", 250, () => score().catch((e) => status(e.message))); };
  let input;
  if (f.kind === "boolean") {
    input = el("select", { id, name: f.name, onchange: (e) => set(e.target.value === "" ? null : e.target.value === "true") },
      el("option", { value: "" }, "—"), el("option", { value: "true", selected: v === true }, "是"),
      el("option", { value: "false", selected: v === false }, "否"));
  } else if (f.kind === "grade") {
    input = el("select", { id, name: f.name, onchange: (e) => set(e.target.value || null) },
      el("option", { value: "" }, "—"), ...f.members.map((m) => el("option", { value: m, selected: v === m }, m)));
  } else if (f.kind === "checklist") {
    const vals = Array.isArray(v) ? v.slice() : f.members.map(() => false);
    input = el("div", { class: "checks", id }, ...f.members.map((m, k) => el("label", {},
      el("input", { type: "checkbox", name: f.name, checked: !!vals[k], onchange: (e) => { vals[k] = e.target.checked; set(vals.slice()); } }),
      ` ${k + 1}. ${m}`)));
    if (!Array.isArray(v)) state.values[f.name] = vals.slice();
  } else {
    const unit = f.kind === "rate" ? "%" : (f.unit && f.unit !== "分" ? f.unit : "");
    input = el("span", {},
      el("input", { type: "text", id, name: f.name, inputmode: f.kind === "text" ? null : "decimal", value: v ?? "",
                    placeholder: f.range || "", oninput: (e) => set(e.target.value) }),
      el("span", { class: "hint" }, unit + (f.range ? "  " + f.range : "")));
  }
  return el("div", { class: "field" }, el("label", { for: id, title: f.doc || f.name }, f.name), input);
}

function fillForm(values) {
  state.values = { ...values };
  state.formSig = null;
  setForm(state.form);
}

async function loadCase() {
  const rb = tab(state.rulebook), c = tab(state.casePath);
  if (!rb || !c) return;
  const r = await api("case", { path: rb.path, text: rb.text, case_path: c.path, case_text: c.text });
  $("caseinfo").textContent = c.path;
  if (r.values) fillForm(r.values);
}

// ── the 评分表 ──
async function score() {
  const rb = tab(state.rulebook);
  if (!rb) return;
  const c = tab(state.casePath);
  const text = rb.text;
  const r = await api("score", { path: rb.path, text, values: state.values,
                                 case_path: c ? c.path : null, case_text: c ? c.text : null });
  if (rb.text !== text) return;
  const table = $("table");
  if (!r.ok) {
    table.classList.add("stale");
    $("summary").textContent = "";
    $("scoreproblems").replaceChildren(...r.problems.map((p) => el("div", { class: "problem " + p.severity, "data-code": p.code },
      el("span", { class: "code" }, `${p.severity}[${p.code}]`), el("span", { class: "where" }, p.where || ""), p.message)));
    return;
  }
  $("scoreproblems").replaceChildren();
  table.classList.remove("stale");
  $("summary").replaceChildren(el("span", { id: "total" }, `总分 ${r.total} / ${r.points}`), el("span", { class: "grade", id: "grade" }, r.grade));
  const claimed = r.rows.some((x) => x.claimed !== null);
  const head = el("tr", {}, el("th", {}, "指标"), el("th", {}, "分值"), el("th", {}, "得分"),
    claimed ? el("th", {}, "自评") : null, el("th", {}, "评分依据"));
  const rows = r.rows.map((x) => el("tr", { class: x.level, "data-path": x.path.join("/") },
    el("td", { style: { paddingLeft: `${6 + 14 * (x.path.length - 1)}px` } }, x.path[x.path.length - 1]),
    el("td", { class: "num" }, x.points),
    el("td", { class: "num score" + (x.score !== x.points && x.applicable ? " lost" : "") }, x.applicable ? x.score : "不适用"),
    claimed ? el("td", { class: "num" }, x.claimed ?? "") : null,
    el("td", { class: "why" }, x.level === "level1" || x.level === "level2" ? "" : why(x))));
  table.replaceChildren(head, ...rows);
}

// 评分依据: the reviewer's sentence; the step-by-step working folded under it
function why(x) {
  const said = el("span", { class: "reason" }, x.why);
  if (!x.trace || x.trace === x.why) return said;
  return el("span", {}, said, el("details", { class: "trace" }, el("summary", {}, "计算过程 / trace"), x.trace));
}

// ── saving ──
async function save() {
  const t = tab(state.active);
  if (!t) return;
  const r = await api("save", { path: t.path, text: t.text });
  t.saved = r.text;
  status((r.formatted ? "已保存并格式化 / saved, formatted" : "已保存 / saved") + (r.note ? ` (${r.note})` : ""));
  if (r.text !== t.text) setText(t, r.text); else renderTabs();
}

// ── wiring ──
$("text").addEventListener("input", (e) => {
  const t = tab(state.active);
  if (!t) return;
  t.text = e.target.value;
  renderTabs();
  later("check:" + t.path, 300, () => check(t).catch((err) => status(err.message)));
});
$("text").addEventListener("scroll", (e) => { $("gutter").scrollTop = e.target.scrollTop; });
$("text").addEventListener("keydown", (e) => {
  if (e.key === "Tab") {                              // indent with spaces: a tab in the indentation is an error
    e.preventDefault();
    document.execCommand("insertText", false, "  ");
  }
});
document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save().catch((err) => status(err.message)); }
});
$("save").addEventListener("click", () => save().catch((e) => status(e.message)));
$("files").addEventListener("change", (e) => { if (e.target.value) openFile(e.target.value).catch((err) => status(err.message)); });

async function start() {
  const r = await api("files");
  state.lang = r.lang;
  $("root").textContent = r.root + "/";
  $("files").replaceChildren(el("option", { value: "" }, "…"), ...r.files.map((f) => el("option", { value: f }, f)));
  if (r.start) {
    state.rulebook = r.start;
    await openFile(r.start);
    // the cases next to the rulebook: the first one fills the form
    const dir = r.start.includes("/") ? r.start.slice(0, r.start.lastIndexOf("/") + 1) : "";
    const first = r.files.find((f) => isCase(f) && f.startsWith(dir) && !f.slice(dir.length).includes("/"));
    if (first) { await openFile(first, false); renderTabs(); }
  }
  document.body.dataset.ready = "1";
  status(r.formatter ? "" : "未安装格式化器：保存时原样写入 / no formatter: saved as typed");
}

start().catch((e) => status(e.message));
