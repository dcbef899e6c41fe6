// Progressive enhancement only: every page is complete without this file.
"use strict";

// The guide: the whole tree is in the page as nested lists; with JavaScript it becomes a walk,
// one question at a time, with Yes/No buttons (also the Y and N keys), Back and Start over.
function initGuide(root) {
  const tree = root.querySelector(":scope > .q");
  if (!tree) return;
  const panel = document.createElement("div");
  panel.className = "walk";
  panel.setAttribute("aria-live", "polite");
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "show-all";
  toggle.textContent = "Show every question";
  toggle.setAttribute("aria-expanded", "false");
  root.before(panel, toggle);
  root.hidden = true;
  toggle.addEventListener("click", () => {
    root.hidden = !root.hidden;
    toggle.setAttribute("aria-expanded", String(!root.hidden));
    toggle.textContent = root.hidden ? "Show every question" : "Hide the full tree";
  });

  const path = [];  // the question nodes answered so far
  const child = (node, answer) =>
    node.querySelector(`:scope > ul.answers > li[data-answer="${answer}"] > .q, ` +
                       `:scope > ul.answers > li[data-answer="${answer}"] > .leaf`);

  function button(label, onClick, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener("click", onClick);
    return b;
  }

  function show(node) {
    panel.replaceChildren();
    const step = document.createElement("p");
    step.className = "step";
    step.textContent = node.classList.contains("leaf") ? "Answer" : `Question ${path.length + 1}`;
    panel.append(step);
    const body = document.createElement("div");
    body.className = node.classList.contains("leaf") ? "leaf" : "q";
    body.tabIndex = -1;
    if (node.classList.contains("leaf")) {
      body.innerHTML = node.innerHTML;
    } else {
      for (const p of node.querySelectorAll(":scope > p")) body.append(p.cloneNode(true));
    }
    panel.append(body);
    const actions = document.createElement("div");
    actions.className = "actions";
    if (!node.classList.contains("leaf")) {
      for (const answer of ["yes", "no"]) {
        actions.append(button(answer === "yes" ? "Yes" : "No", () => {
          path.push(node);
          show(child(node, answer));
        }, "answer-" + answer));
      }
    }
    if (path.length) {
      actions.append(button("Back", () => show(path.pop()), "back"));
      actions.append(button("Start over", () => { path.length = 0; show(tree); }, "restart"));
    }
    panel.append(actions);
    panel.current = node;
    if (path.length) body.focus();
  }

  panel.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const key = ev.key.toLowerCase();
    const target = key === "y" ? ".answer-yes" : key === "n" ? ".answer-no" : key === "backspace" ? ".back" : null;
    const b = target && panel.querySelector(target);
    if (b) { ev.preventDefault(); b.click(); }
  });
  show(tree);
}

// The comparison picker: a pair with its own page goes there; any other pair is shown side by side
// from the JSON API, in the browser only.
function initPicker(form) {
  const pairs = new Set(form.dataset.pairs.split(" ").filter(Boolean));
  const api = form.dataset.api;
  const out = document.getElementById("picker-result");
  form.hidden = false;
  const text = (md) => String(md).replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*_#>]/g, "");

  async function load(code) {
    const res = await fetch(`${api}${code}.json`);
    if (!res.ok) throw new Error(`${code}: HTTP ${res.status}`);
    return res.json();
  }

  function cell(tag, value) {
    const el = document.createElement(tag);
    el.textContent = value;
    return el;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const [a, b] = [Number(form.elements.a.value), Number(form.elements.b.value)].sort((x, y) => x - y);
    out.replaceChildren();
    if (a === b) { out.textContent = "Pick two different codes."; return; }
    const slug = `${a}-vs-${b}`;
    if (pairs.has(slug)) { window.location.href = `${slug}/`; return; }
    out.textContent = "Loading…";
    let left, right;
    try {
      [left, right] = await Promise.all([load(a), load(b)]);
    } catch (err) {
      out.textContent = `Could not load the codes (${err.message}).`;
      return;
    }
    const rows = [
      ["Name", (e) => e.name],
      ["Class", (e) => e.class],
      ["Summary", (e) => e.summary],
      ["Definition", (e) => text(e.definition)],
      ["When to use", (e) => text(e.when_to_use)],
      ["What clients do", (e) => text(e.client_behavior)],
      ["Cacheable by default", (e) => (e.cacheable.default ? "Yes" : "No")],
      ["Safe to retry unchanged", (e) => (e.retry.safe ? "Yes" : "No")],
      ["Headers", (e) => e.headers.map((h) => h.name).join(", ") || "None in particular"],
      ["Defined in", (e) => (e.spec.section ? `${e.spec.document} §${e.spec.section}` : e.spec.document)],
    ];
    const table = document.createElement("table");
    table.className = "compare";
    const head = table.createTHead().insertRow();
    head.append(cell("th", "Aspect"));
    for (const e of [left, right]) {
      const th = document.createElement("th");
      const link = document.createElement("a");
      link.href = `../${e.code}/`;
      link.textContent = `${e.code} ${e.name}`;
      th.append(link);
      head.append(th);
    }
    for (const th of head.cells) th.scope = "col";
    const body = table.createTBody();
    for (const [label, get] of rows) {
      const tr = body.insertRow();
      const th = cell("th", label);
      th.scope = "row";
      tr.append(th, cell("td", get(left)), cell("td", get(right)));
    }
    const note = cell("p", `No comparison page exists for ${a} and ${b}; this table is built from their entries.`);
    note.className = "note";
    const wrap = document.createElement("div");
    wrap.className = "scroll";
    wrap.append(table);
    out.replaceChildren(note, wrap);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("[data-guide]")) initGuide(el);
  const picker = document.getElementById("picker");
  if (picker) initPicker(picker);
});
