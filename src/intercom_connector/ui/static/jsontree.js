/* A folding JSON tree that loads a page of children at a time.
   A source answers children(segments, offset) with {node, offset, total, children}; each
   child carries its JSONPath reference ("path"), shown in the path bar when pointed at. */
"use strict";

const JsonTree = (() => {
  const PAGE = 100;

  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids) if (kid) node.append(kid);
    return node;
  }

  function scalarText(node) {
    if (node.type === "string") {
      const more = node.truncated ? `… (${node.truncated} chars)` : "";
      return JSON.stringify(node.value) + more;
    }
    return JSON.stringify(node.value);
  }

  function summary(node) {
    if (node.type === "array") return `[${node.size} items]`;
    if (node.type === "object") return `{${node.size} keys}`;
    return scalarText(node);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(() => fallbackCopy(text));
    }
    fallbackCopy(text);
    return Promise.resolve();
  }

  function fallbackCopy(text) {
    const area = el("textarea", {}, document.createTextNode(text));
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  function pointAt(path, outer) {
    const bar = document.getElementById("pathbar");
    if (!bar) return;
    if (!path) {
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    document.getElementById("pathbar-path").textContent = path;
    document.getElementById("pathbar-outer").textContent = outer ? `after the loop: ${outer}` : "";
    bar.dataset.path = path;
  }

  function row(node, tree) {
    const container = node.type === "object" || node.type === "array";
    const li = el("li", { class: `jt-node jt-${node.type}`, "data-path": node.path });
    const line = el("div", { class: "jt-line" });
    const twisty = el("span", { class: "jt-twisty", text: container && node.size ? "▸" : " " });
    line.append(twisty);
    if (node.segment !== null && node.segment !== undefined) {
      const key = typeof node.segment === "number" ? `[${node.segment}]` : node.segment;
      line.append(el("span", { class: "jt-key", text: key }), document.createTextNode(": "));
    }
    line.append(el("span", { class: container ? "jt-summary" : "jt-value", text: summary(node) }));
    if (node.path) {
      const button = el("button", { type: "button", class: "jt-copy", title: "Copy the reference", text: "copy" });
      button.addEventListener("click", (event) => {
        event.stopPropagation();
        copy(node.path);
        button.textContent = "✓";
        setTimeout(() => (button.textContent = "copy"), 900);
      });
      line.append(button);
    }
    line.addEventListener("mouseenter", () => pointAt(node.path, tree.outer(node.path)));
    li.append(line);
    if (container && node.size) {
      const kids = el("ul", { class: "jt-children", hidden: true });
      li.append(kids);
      let loaded = false;
      line.addEventListener("click", () => {
        kids.hidden = !kids.hidden;
        twisty.textContent = kids.hidden ? "▸" : "▾";
        if (!loaded) {
          loaded = true;
          tree.fill(kids, node.segments, 0);
        }
      });
    }
    return li;
  }

  class Tree {
    constructor(container, source, options) {
      this.container = container;
      this.source = source;
      this.options = options || {};
    }

    outer(path) {
      const { base, outerBase } = this.options;
      if (!path || !base || !outerBase || !path.startsWith(base)) return null;
      return outerBase + path.slice(base.length);
    }

    async show() {
      this.container.replaceChildren();
      const root = el("ul", { class: "jt-root" });
      this.container.append(root);
      const page = await this.source.children([], 0);
      if (page.node.type !== "object" && page.node.type !== "array") {
        root.append(row(page.node, this));
        return;
      }
      root.append(el("li", { class: "jt-meta muted", text: summary(page.node) }));
      this.append(root, page, []);
    }

    async fill(list, segments, offset) {
      const page = await this.source.children(segments, offset);
      this.append(list, page, segments);
    }

    append(list, page, segments) {
      for (const child of page.children) list.append(row(child, this));
      const next = page.offset + page.children.length;
      if (next < page.total) {
        const more = el("button", {
          type: "button",
          class: "jt-more",
          text: `show ${Math.min(PAGE, page.total - next)} more of ${page.total - next}`,
        });
        more.addEventListener("click", () => {
          more.remove();
          this.fill(list, segments, next);
        });
        list.append(el("li", {}, more));
      }
    }
  }

  /* For a value already in the page (a try-it reply): the same pages, made here. */
  function reference(base, segments) {
    let text = base;
    for (const s of segments) {
      if (typeof s === "number") text += `[${s}]`;
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) text += "." + s;
      else text += "[" + JSON.stringify(s).replace(/"/g, "'") + "]";
    }
    return text;
  }

  function describe(value, base, segments) {
    const type = Array.isArray(value) ? "array" : value === null ? "null" : typeof value === "object" ? "object" : typeof value;
    const node = { segment: segments.length ? segments[segments.length - 1] : null, segments, type, path: base ? reference(base, segments) : null };
    if (type === "object" || type === "array") node.size = Object.keys(value).length;
    else node.value = value;
    return node;
  }

  function localSource(value, base) {
    return {
      async children(segments, offset) {
        let node = value;
        for (const s of segments) node = node[s];
        const keys = Array.isArray(node) ? node.map((_, i) => i) : node && typeof node === "object" ? Object.keys(node) : [];
        const page = keys.slice(offset, offset + PAGE);
        return {
          node: describe(node, base, segments),
          offset,
          total: keys.length,
          children: page.map((k) => describe(node[k], base, [...segments, k])),
        };
      },
    };
  }

  return { Tree, localSource, el, copy, pointAt };
})();
