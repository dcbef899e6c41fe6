// Progressive enhancement only: every page is complete without this file.
"use strict";

// The guide works without this: one section per question or answer, shown by its address (#q-ny...), answered
// with links. This adds the Y, N and Backspace keys, focus on the step shown, and a Back link that steps back
// through the browser's history when the previous step is where it leads (so Back and Forward stay in step).
function initGuide(root) {
  const visited = [];  // the guide's steps shown in this visit, in order
  const current = () => root.querySelector(".gnode:target") || root.querySelector(".gnode");
  const note = () => { visited.push(location.hash.slice(1) || "q"); };
  note();
  window.addEventListener("hashchange", () => {
    const before = visited[visited.length - 2];
    if (before === (location.hash.slice(1) || "q")) visited.pop(); else note();
    const node = current();
    if (node && root.contains(node)) node.focus({ preventScroll: true });
  });
  root.addEventListener("click", (ev) => {
    const back = ev.target.closest("a.back");
    if (!back) return;
    if (visited[visited.length - 2] === back.dataset.parent) { ev.preventDefault(); history.back(); }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.target.closest("input, select, textarea")) return;
    const key = ev.key.toLowerCase();
    const target = key === "y" ? ".answer-yes" : key === "n" ? ".answer-no" : key === "backspace" ? ".back" : null;
    const link = target && current().querySelector(target);
    if (link) { ev.preventDefault(); link.click(); }
  });
}

// The comparison picker: a pair with its own page goes there; any other pair is shown side by side
// from the JSON API, in the browser only.
function initPicker(form) {
  const pairs = new Set(form.dataset.pairs.split(" ").filter(Boolean));
  const api = form.dataset.api;
  const out = document.getElementById("picker-result");
  form.hidden = false;
  // A prose field's Markdown as paragraphs and lists (text only: links keep their words, `code` stays code).
  function inline(md, into) {
    const plain = String(md).replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\[\^[^\]]*\]/g, "");
    plain.split(/(`[^`]*`)/).forEach((piece, i) => {
      if (i % 2) into.append(cell("code", piece.slice(1, -1)));
      else into.append(piece.replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, "$1"));
    });
    return into;
  }
  function blocks(md) {
    const nodes = [];
    for (const block of String(md || "").split(/\n\s*\n/)) {
      const lines = block.split("\n").filter((l) => l.trim());
      if (!lines.length) continue;
      let list = null, para = [];
      const flush = () => { if (para.length) nodes.push(inline(para.join(" "), document.createElement("p"))); para = []; };
      for (const line of lines) {
        const item = line.match(/^\s*(?:[-*+]|\d+\.)\s+(.*)$/);
        if (item) {
          flush();
          if (!list) { list = document.createElement(/^\s*\d/.test(line) ? "ol" : "ul"); nodes.push(list); }
          list.append(inline(item[1], document.createElement("li")));
        } else if (list && /^\s+/.test(line)) {
          list.lastChild.append(" ", ...inline(line.trim(), document.createElement("span")).childNodes);
        } else {
          list = null;
          para.push(line.trim());
        }
      }
      flush();
    }
    return nodes;
  }

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
    // The same shape as a comparison page's rows: per aspect, a card per code, stacked on phones.
    const rows = [
      ["Class", (e) => e.class],
      ["Summary", (e) => e.summary],
      ["Definition", (e) => blocks(e.definition)],
      ["When to use", (e) => blocks(e.when_to_use)],
      ["What clients do", (e) => blocks(e.client_behavior)],
      ["Cacheable by default", (e) => (e.cacheable.default ? "Yes" : "No")],
      ["Safe to retry unchanged", (e) => (e.retry.safe ? "Yes" : "No")],
      ["Headers", (e) => e.headers.map((h) => h.name).join(", ") || "None in particular"],
      ["Defined in", (e) => (e.spec.section ? `${e.spec.document} §${e.spec.section}` : e.spec.document)],
    ];
    const head = document.createElement("h2");
    head.className = "picked";
    for (const [i, e] of [left, right].entries()) {
      const link = document.createElement("a");
      link.href = `../${e.code}/`;
      link.textContent = `${e.code} ${e.name}`;
      head.append(...(i ? [" vs ", link] : [link]));
    }
    const note = cell("p", `No comparison page exists for ${a} and ${b}; these cards are built from their entries.`);
    note.className = "note";
    const parts = [head, note];
    for (const [label, get] of rows) {
      const row = document.createElement("div");
      row.className = "pair-row";
      row.append(cell("h3", label));
      row.firstChild.className = "aspect";
      const pair = document.createElement("div");
      pair.className = "pair";
      for (const e of [left, right]) {
        const side = document.createElement("div");
        side.className = "side";
        const who = cell("p", `${e.code} ${e.name}`);
        who.className = "side-code";
        const body = document.createElement("div");
        body.className = "prose";
        const value = get(e);
        if (typeof value === "string") body.append(cell("p", value)); else body.append(...value);
        side.append(who, body);
        pair.append(side);
      }
      row.append(pair);
      parts.push(row);
    }
    out.replaceChildren(...parts);
  });
}

// Theme toggle: automatic (system) -> light -> dark -> automatic; remembered in localStorage.
function initTheme(button) {
  const order = ["auto", "light", "dark"];
  const labels = { auto: "automatic", light: "light", dark: "dark" };
  const icons = { auto: "◐", light: "☀", dark: "☾" };
  const current = () => document.documentElement.dataset.theme || "auto";
  const show = () => {
    const t = current();
    button.textContent = icons[t];
    button.setAttribute("aria-label", `Colour theme: ${labels[t]} (change)`);
    button.title = `Colour theme: ${labels[t]}`;
  };
  button.hidden = false;
  show();
  button.addEventListener("click", () => {
    const next = order[(order.indexOf(current()) + 1) % order.length];
    if (next === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    try {
      if (next === "auto") localStorage.removeItem("statusdocs-theme");
      else localStorage.setItem("statusdocs-theme", next);
    } catch (e) { /* not remembered, still applied */ }
    show();
  });
}

// Search: the index is a script loaded on first use, so it works on any sub-path and from file://.
function initSearch(form) {
  const input = form.querySelector("input");
  const list = form.querySelector("[role=listbox]");
  const root = form.dataset.root;
  let index = null;
  let active = -1;
  form.hidden = false;

  function load() {
    if (index || document.getElementById("search-index")) return;
    const s = document.createElement("script");
    s.id = "search-index";
    s.src = form.dataset.index;
    s.onload = () => { index = window.STATUSDOCS_SEARCH || []; update(); };
    document.head.append(s);
  }

  function score(item, q, words) {
    if (item.c !== null && String(item.c) === q) return 1000;
    if (item.c !== null && /^\d+$/.test(q) && String(item.c).startsWith(q)) return 900 - item.c / 1000;
    const title = item.t.toLowerCase(), summary = item.s.toLowerCase(), rest = item.k.toLowerCase();
    const headers = (item.h || "").toLowerCase();
    let total = 0;
    for (const w of words) {
      const often = Math.min(rest.split(w).length - 1, 5) * 4;  // named often in the entry's own text
      if (title.includes(w)) total += 100;
      else if (headers.includes(w)) total += 50 + often;
      else if (summary.includes(w)) total += 30 + often;
      else if (often) total += 10 + often;
      else return 0;  // every word must match somewhere
    }
    return total - (item.c === null ? 5 : 0);
  }

  function update() {
    const q = input.value.trim().toLowerCase();
    list.replaceChildren();
    active = -1;
    if (!q || !index) { close(); return; }
    const words = q.split(/\s+/);
    const hits = index.map((item) => [score(item, q, words), item]).filter(([s]) => s > 0)
      .sort((a, b) => b[0] - a[0]).slice(0, 8);
    if (!hits.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No match";
      list.append(li);
    }
    hits.forEach(([, item], i) => {
      const li = document.createElement("li");
      li.id = `search-hit-${i}`;
      li.setAttribute("role", "option");
      const a = document.createElement("a");
      a.href = root + item.u;
      a.tabIndex = -1;
      const t = document.createElement("span");
      t.className = "hit-title";
      t.textContent = item.t;
      const s = document.createElement("span");
      s.className = "hit-summary";
      s.textContent = item.s;
      a.append(t, s);
      li.append(a);
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function move(step) {
    const options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (active + step + options.length) % options.length;
    options.forEach((o, i) => o.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", () => { load(); update(); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Escape") { close(); }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const options = list.querySelectorAll("[role=option] a");
    const target = options[Math.max(active, 0)];
    if (target) window.location.href = target.href;
  });
  document.addEventListener("click", (ev) => { if (!form.contains(ev.target)) close(); });
}

// Copy buttons on examples and constants.
function initCopy() {
  if (!navigator.clipboard) return;
  // Fenced code in prose gets the examples' wrapper, so its button sits in the corner too.
  for (const pre of document.querySelectorAll(".prose pre")) {
    if (pre.parentElement.classList.contains("codeblock")) continue;
    const wrap = document.createElement("div");
    wrap.className = "codeblock";
    pre.before(wrap);
    wrap.append(pre);
  }
  const targets = [...document.querySelectorAll("pre.http, .prose pre"),
                   ...document.querySelectorAll("table.constants code")];
  for (const el of targets) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "copy";
    b.textContent = "Copy";
    b.setAttribute("aria-label", el.tagName === "PRE" ? "Copy this example" : `Copy ${el.textContent}`);
    b.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(el.textContent);
        b.textContent = "Copied";
      } catch (e) {
        b.textContent = "Copy failed";
      }
      setTimeout(() => { b.textContent = "Copy"; }, 1500);
    });
    if (el.parentElement.classList.contains("codeblock")) el.parentElement.append(b);  // its top right corner
    else el.after(b);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".theme-toggle");
  if (toggle) initTheme(toggle);
  const search = document.querySelector("form.search");
  if (search) initSearch(search);
  initCopy();
  for (const el of document.querySelectorAll("[data-guide]")) initGuide(el);
  const picker = document.getElementById("picker");
  if (picker) initPicker(picker);
});
