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

// Search. Full text by Pagefind (pagefind/ beside the pages, when the site was built with it installed): every
// heading, FAQ question and paragraph, each hit labelled by kind with the matching words marked. Without it,
// or from file:// (where a browser will not load its module), and for a code number, the small index below
// (search-index.js, a script, so it loads from file:// too): numbers, names, summaries, headers.
// British and American spellings find each other ("behaviour", "behavior"): each query is also searched
// in the other spelling.
// Each rule turns one spelling into the other (British -> American, then back).
const SPELLINGS = [
  [/our(s|ed|ing|al|ally|able|ite|ites|ful)?$/, "or$1"], [/([^o])or(s|ed|ing|al|ally|able|ite|ites|ful)?$/, "$1our$2"],
  [/(\w{3})is(e|es|ed|ing|ation|ations|er|ers)$/, "$1iz$2"], [/(\w{3})iz(e|es|ed|ing|ation|ations|er|ers)$/, "$1is$2"],
  [/yse(s|d)?$/, "yze$1"], [/yze(s|d)?$/, "yse$1"], [/ence$/, "ense"], [/ense$/, "ence"],
  [/([^aeiou])tre(s)?$/, "$1ter$2"], [/ogue(s)?$/, "og$1"], [/ll(ed|ing)$/, "l$1"],
];

function spellings(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const variants = new Set([words.join(" ")]);
  for (const [pattern, to] of SPELLINGS) {  // one rule at a time: a variant that is no word finds nothing
    variants.add(words.map((w) => (/^[a-z]{4,}$/.test(w) ? w.replace(pattern, to) : w)).join(" "));
  }
  return [...variants].slice(0, 8);
}

const KINDS = { code: "Code", comparison: "Comparison", guide: "Guide", class: "Class", page: "Page" };

function initSearch(form) {
  const input = form.querySelector("input");
  const list = form.querySelector("[role=listbox]");
  const root = new URL(form.dataset.root, document.baseURI);
  let index = null;        // the small index, once loaded
  let pagefind = null;     // the attempt to load Pagefind: a promise of its module, or of null without it
  let active = -1;
  let generation = 0;      // a slower answer to an earlier query is dropped
  form.hidden = false;
  list.tabIndex = -1;  // a list that scrolls is otherwise a stop of its own for Tab

  function loadIndex() {
    if (index || document.getElementById("search-index")) return;
    const s = document.createElement("script");
    s.id = "search-index";
    s.src = form.dataset.index;
    s.onload = () => { index = window.STATUSDOCS_SEARCH || []; update(); };
    document.head.append(s);
  }

  // Once per page; every query waits for the same attempt.
  function loadPagefind() {
    pagefind = pagefind || (async () => {
      if (root.protocol === "file:" || !("fulltext" in form.dataset)) return null;  // no index to load
      try {
        const module = await import(new URL("pagefind/pagefind.js", root).href);
        await module.options({ baseUrl: root.pathname, excerptLength: 24 });
        return module;
      } catch (e) {
        return null;  // a site built without Pagefind: the small index answers
      }
    })();
    return pagefind;
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

  function kindOf(item) {
    if (item.c !== null) return "code";
    if (item.u.startsWith("compare/")) return "comparison";
    return item.u === "guide/" ? "guide" : "page";
  }

  function localHits(q) {
    if (!index) return [];
    const query = q.toLowerCase(), words = query.split(/\s+/);
    return index.map((item) => [score(item, query, words), item]).filter(([s]) => s > 0)
      .sort((a, b) => b[0] - a[0]).slice(0, 8)
      .map(([, item]) => ({ kind: kindOf(item), title: item.t, url: new URL(item.u, root).href, text: item.s,
                            words }));
  }

  // The sub-result (a heading with an id: an FAQ question) where the query weighs most, if not the page's top.
  function bestSection(data) {
    let best = null, weight = 0;
    for (const sub of data.sub_results || []) {
      const w = (sub.weighted_locations || []).reduce((sum, l) => sum + l.balanced_score, 0);
      if (w > weight) { best = sub; weight = w; }
    }
    return best && best.url.includes("#") ? best : null;
  }

  async function fullTextHits(module, q) {
    const words = [...new Set(spellings(q).join(" ").split(" "))];
    const found = new Map();
    for (const result of await Promise.all(spellings(q).map((v) => module.search(v)))) {
      for (const r of result ? result.results : []) {
        if (!found.has(r.id) || found.get(r.id).score < r.score) found.set(r.id, r);
      }
    }
    const top = [...found.values()].sort((a, b) => b.score - a.score).slice(0, 8);
    const hits = (await Promise.all(top.map((r) => r.data()))).map((data) => {
      const section = bestSection(data);
      return { kind: data.meta.kind || "page", title: data.meta.title, url: new URL((section || data).url, root).href,
               section: section ? section.title : "", excerpt: (section || data).excerpt, words };
    });
    // A code's reason phrase ("too many requests"), or its whole title, finds that code first. Pagefind ranks by
    // weighted term frequency alone, and a comparison that names the code in its title and all through its text
    // can outscore the code's own page (its heading weight included).
    const asked = new Set(spellings(q));
    const named = (hit) => {
      if (hit.kind !== "code" || !hit.title) return false;
      const title = hit.title.toLowerCase().split(/\s+/).filter(Boolean).join(" ");
      return asked.has(title) || asked.has(title.replace(/^\d{3} /, ""));
    };
    return hits.filter(named).concat(hits.filter((hit) => !named(hit)));
  }

  // `text` into `out`, the query's words in it marked.
  function markWords(out, text, words) {
    const found = words.filter((w) => w.length > 1).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const parts = found.length ? text.split(new RegExp(`(${found.join("|")})`, "i")) : [text];
    parts.forEach((part, i) => out.append(i % 2 ? Object.assign(document.createElement("mark"), { textContent: part }) : part));
    return out;
  }

  // The hit's text with the query's words marked: from Pagefind's excerpt, which marks them itself, only its
  // text and <mark> elements are kept.
  function marked(hit) {
    const out = document.createElement("span");
    out.className = "hit-text";
    if (hit.excerpt === undefined) return markWords(out, hit.text, hit.words);
    const doc = new DOMParser().parseFromString(`<p>${hit.excerpt}</p>`, "text/html");
    for (const node of doc.body.firstChild.childNodes) {
      if (node.nodeName === "MARK") out.append(Object.assign(document.createElement("mark"), { textContent: node.textContent }));
      else out.append(node.textContent);
    }
    return out;
  }

  function show(hits, q) {
    list.replaceChildren();
    list.dataset.query = q;  // what these hits answer
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!hits.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No match";
      list.append(li);
    }
    hits.forEach((hit, i) => {
      const li = document.createElement("li");
      li.id = `search-hit-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const a = document.createElement("a");
      a.href = hit.url;
      a.tabIndex = -1;
      const kind = document.createElement("span");
      kind.className = `hit-kind kind-${hit.kind}`;
      kind.textContent = KINDS[hit.kind] || "Page";
      const t = document.createElement("span");
      t.className = "hit-title";
      markWords(t, hit.title, hit.words);
      a.append(kind, t);
      if (hit.section) {
        const s = document.createElement("span");
        s.className = "hit-section";
        s.textContent = hit.section;
        a.append(s);
      }
      a.append(marked(hit));
      li.append(a);
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function update() {
    const q = input.value.trim();
    const mine = ++generation;
    if (!q) { close(); return; }
    const full = /^\d{1,3}$/.test(q) ? null : await loadPagefind();
    let hits;
    try {
      hits = full ? await fullTextHits(full, q) : localHits(q);
    } catch (e) {
      hits = localHits(q);
    }
    if (mine !== generation || document.activeElement === null || !form.contains(document.activeElement)) return;
    if (!full && !index) return;  // shown once the small index has loaded
    show(hits, q);
  }

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function move(step) {
    if (list.hidden) { update(); return; }
    const options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (active + step + options.length) % options.length;
    options.forEach((o, i) => o.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", () => { loadIndex(); loadPagefind(); if (input.value.trim()) update(); });
  input.addEventListener("input", () => { loadIndex(); update(); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Tab") close();  // focus goes on past the list
    else if (ev.key === "Escape") {
      if (!list.hidden) close();
      else input.value = "";
    }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const options = list.hidden ? [] : list.querySelectorAll("[role=option] a");
    const target = options[Math.max(active, 0)];
    if (target) window.location.href = target.href;
  });
  // Closed when focus leaves the search box and its results (Tab, a click elsewhere).
  form.addEventListener("focusout", (ev) => { if (!form.contains(ev.relatedTarget)) close(); });
  document.addEventListener("click", (ev) => { if (!form.contains(ev.target)) close(); });
  // "/" anywhere but in a field focuses the search box, as on GitHub and MDN.
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const el = document.activeElement;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    ev.preventDefault();
    input.focus();
    input.select();
  });
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

// A link to a folded question (#faq-2 on a comparison) opens its answer.
function openTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  const box = target && target.closest("details");
  if (box) box.open = true;
}

document.addEventListener("DOMContentLoaded", () => {
  openTarget();
  window.addEventListener("hashchange", openTarget);
  const toggle = document.querySelector(".theme-toggle");
  if (toggle) initTheme(toggle);
  const search = document.querySelector("form.search");
  if (search) initSearch(search);
  initCopy();
  for (const el of document.querySelectorAll("[data-guide]")) initGuide(el);
  const picker = document.getElementById("picker");
  if (picker) initPicker(picker);
});
