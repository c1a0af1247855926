/* The panel's pages: the runs list (live), a run (tree, values, timeline, actions), try-it. */
"use strict";

const { el } = JsonTree;
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const MARK = { finished: "✓", succeeded: "✓", failed: "✗", started: "…", running: "…", "not run": "·" };

function getJSON(url) {
  return fetch(url, { credentials: "same-origin" }).then(async (reply) => {
    const body = await reply.json();
    if (!reply.ok) throw new Error(body.error || reply.statusText);
    return body;
  });
}

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF },
    body: JSON.stringify(body || {}),
  }).then(async (reply) => {
    const answer = await reply.json();
    if (!reply.ok) throw new Error(answer.error || reply.statusText);
    return answer;
  });
}

function when(unix) {
  return unix ? new Date(unix * 1000).toLocaleString() : "";
}

function ms(value) {
  if (value === null || value === undefined) return "";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

function statusBadge(status) {
  return el("span", { class: "status", "data-status": status, text: `${MARK[status] || ""} ${status}` });
}

function debounce(work, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(work, ms);
  };
}

function fillTimes() {
  for (const cell of document.querySelectorAll(".time[data-unix]")) cell.textContent = when(Number(cell.dataset.unix));
}

/* ---------------- runs list ---------------- */
function runsPage() {
  const form = document.getElementById("run-filters");
  const body = document.querySelector("#runs-table tbody");
  const live = document.getElementById("live-state");
  let stream = null;

  function render(rows) {
    body.replaceChildren();
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: "no runs match" })));
    for (const run of rows) {
      const tr = el("tr", { class: `run status-${run.status}`, "data-run-id": run.run_id });
      tr.append(
        el("td", {}, el("a", { href: `/runs/${run.run_id}`, text: run.run_id })),
        el("td", {}, statusBadge(run.status)),
        el("td", { text: run.workflow }),
        el("td", { text: run.trigger }),
        el("td", { text: when(run.started_unix) }),
        el("td", { text: run.duration_s === null ? "…" : `${run.duration_s.toFixed(2)} s` }),
        el("td", { class: "steps", text: String(run.steps_finished) }),
        el("td", { class: run.failures ? "error" : "", text: String(run.failures) }),
      );
      body.append(tr);
    }
  }

  function connect() {
    if (stream) stream.close();
    const query = new URLSearchParams(new FormData(form)).toString();
    history.replaceState(null, "", query ? `/?${query}` : "/");
    stream = new EventSource(`/api/runs-stream?${query}`);
    stream.addEventListener("runs", (event) => {
      live.textContent = "live";
      render(JSON.parse(event.data));
    });
    stream.onerror = () => (live.textContent = "reconnecting…");
  }

  form.addEventListener("change", connect);
  form.addEventListener("input", debounce(connect, 300));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    connect();
  });
  connect();
}

/* ---------------- one run ---------------- */
function runPage() {
  const head = document.getElementById("run-head");
  const runId = head.dataset.runId;
  const api = `/api/runs/${encodeURIComponent(runId)}`;
  const treeRoot = document.getElementById("step-tree");
  const detail = document.getElementById("detail");
  let lastSummary = "";

  function header(state) {
    const run = state.run;
    const status = document.getElementById("run-status");
    status.dataset.status = run.status;
    status.textContent = run.status;
    const facts = [`started ${when(Date.parse(run.started_at) / 1000)}`];
    if (run.duration_s !== null) facts.push(`took ${run.duration_s.toFixed(2)} s`);
    facts.push(`${run.steps_finished} step executions finished`);
    if (run.attempts > 1) facts.push(`${run.attempts} attempts`);
    document.getElementById("run-facts").textContent = facts.join(" · ");
    const error = document.getElementById("run-error");
    error.hidden = !(run.error || state.action_error);
    error.textContent = [run.error, state.action_error].filter(Boolean).join("\n");
    document.getElementById("action-resume").disabled = !["interrupted", "failed", "cancelled"].includes(run.status);
    document.getElementById("action-cancel").disabled = !(run.status === "running" && state.here);
  }

  function stepRow(node, label) {
    const row = el("div", { class: "row" });
    row.append(el("span", { class: "twisty", text: " " }), statusBadge(node.status));
    const name = el("a", { href: "#", class: "step-link", "data-key": node.key, text: label || node.id });
    if (node.status !== "not run") {
      name.addEventListener("click", (event) => {
        event.preventDefault();
        showExecution(node.key);
      });
    }
    row.append(name);
    const kind = node.kind === "call" ? `call ${node.operation}` : node.kind;
    row.append(el("span", { class: "kind", text: kind }));
    if (node.duration_ms !== undefined) row.append(el("span", { class: "ms", text: ms(node.duration_ms) }));
    if (node.waiting_until && node.status === "started") {
      row.append(el("span", { class: "wait", text: `waiting until ${when(node.waiting_until)}` }));
    }
    return row;
  }

  function renderNodes(list, nodes) {
    for (const node of nodes) list.append(renderNode(node));
  }

  function renderNode(node) {
    const li = el("li", { class: `step kind-${node.kind} status-${node.status.replace(" ", "-")}`, "data-key": node.key });
    const row = stepRow(node);
    li.append(row);
    if (node.error) li.append(el("div", { class: "error step-error", text: node.error }));
    if (node.kind === "loop") {
      const failed = node.failed_iterations ? `, ${node.failed_iterations} failed` : "";
      row.append(el("span", { class: "count", text: `${node.iterations} iterations${failed}` }));
      const iterations = el("ul", { class: "iterations", hidden: true });
      li.append(iterations);
      foldable(row, iterations, () => loadIterations(iterations, node.key, 0, false));
      if (node.failed_iterations) {
        const only = el("button", { type: "button", class: "small", text: "failed only" });
        only.addEventListener("click", (event) => {
          event.stopPropagation();
          iterations.hidden = false;
          iterations.replaceChildren();
          loadIterations(iterations, node.key, 0, true);
        });
        row.append(only);
      }
    }
    if (node.error_steps && node.error_steps.length) {
      const ran = node.error_steps.some((child) => child.status !== "not run");
      const branch = el("li", { class: `branch ${ran ? "taken" : "not-taken"}` });
      branch.append(el("div", { class: "branch-name", text: `on error${ran ? " (taken)" : ""}` }));
      const kids = el("ul", {});
      renderNodes(kids, node.error_steps);
      branch.append(kids);
      li.append(el("ul", { class: "branches" }, branch));
    }
    if (node.kind === "condition") {
      if (node.branch) row.append(el("span", { class: "branch-taken", text: `→ ${node.branch}` }));
      const branches = el("ul", { class: "branches" });
      for (const name of ["then", "else"]) {
        if (!node[name].length) continue;
        const taken = node.branch === name;
        const branch = el("li", { class: `branch ${taken ? "taken" : "not-taken"}` });
        branch.append(el("div", { class: "branch-name", text: `${name}${taken ? " (taken)" : ""}` }));
        const kids = el("ul", {});
        renderNodes(kids, node[name]);
        branch.append(kids);
        branches.append(branch);
      }
      li.append(branches);
    }
    return li;
  }

  function foldable(row, list, load) {
    const twisty = row.querySelector(".twisty");
    twisty.textContent = "▸";
    let loaded = false;
    twisty.classList.add("clickable");
    const toggle = (event) => {
      if (event.target.closest("a, button")) return;
      list.hidden = !list.hidden;
      twisty.textContent = list.hidden ? "▸" : "▾";
      if (!loaded) {
        loaded = true;
        load();
      }
    };
    row.addEventListener("click", toggle);
  }

  async function loadIterations(list, loopKey, offset, failedOnly) {
    const query = new URLSearchParams({ loop: loopKey, offset, limit: 50, failed: failedOnly ? "1" : "0" });
    const page = await getJSON(`${api}/iterations?${query}`);
    for (const iteration of page.iterations) {
      const li = el("li", { class: `iteration status-${iteration.status}`, "data-key": iteration.key });
      const row = stepRow({ ...iteration, kind: "iteration", id: `#${iteration.index}` }, `iteration ${iteration.index}`);
      li.append(row);
      if (iteration.error) li.append(el("div", { class: "error step-error", text: iteration.error }));
      const body = el("ul", { class: "body", hidden: true });
      li.append(body);
      foldable(row, body, async () => {
        const block = await getJSON(`${api}/block?${new URLSearchParams({ prefix: iteration.key + "." })}`);
        renderNodes(body, block.nodes);
      });
      list.append(li);
    }
    const next = page.offset + page.iterations.length;
    if (next < page.total) {
      const more = el("button", { type: "button", class: "more", text: `show more (${page.total - next} left)` });
      more.addEventListener("click", () => {
        more.parentElement.remove();
        loadIterations(list, loopKey, next, failedOnly);
      });
      list.append(el("li", {}, more));
    }
  }

  function remoteSource(key, side) {
    return {
      children(segments, offset) {
        const query = new URLSearchParams({ key, side, path: JSON.stringify(segments), offset, limit: 100 });
        return getJSON(`${api}/value?${query}`);
      },
    };
  }

  function valuePane(execution, side) {
    const base = execution[`${side}_base`];
    const pane = el("section", { class: `value value-${side}` });
    const search = el("input", { type: "search", class: "value-search", placeholder: `search the ${side}` });
    const results = el("ul", { class: "search-results" });
    const tree = el("div", { class: "jsontree" });
    const note = base ? "" : " (not addressable from a workflow)";
    pane.append(el("h3", { text: side + note }), search, results, tree);
    new JsonTree.Tree(tree, remoteSource(execution.key, side), { base, outerBase: execution.outer_base }).show();
    search.addEventListener("keydown", async (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      results.replaceChildren();
      if (!search.value) return;
      const query = new URLSearchParams({ key: execution.key, side, q: search.value });
      const found = await getJSON(`${api}/search?${query}`);
      if (!found.matches.length) results.append(el("li", { class: "muted", text: "no match" }));
      for (const match of found.matches) {
        const text = match.preview || JSON.stringify(match.value);
        const item = el("li", { class: "match", "data-path": match.path },
          el("code", { text: match.path || JSON.stringify(match.segments) }), document.createTextNode(` = ${text}`));
        if (match.path) {
          const button = el("button", { type: "button", class: "jt-copy", text: "copy" });
          button.addEventListener("click", () => JsonTree.copy(match.path));
          item.append(button);
          item.addEventListener("mouseenter", () => JsonTree.pointAt(match.path));
        }
        results.append(item);
      }
      if (found.more) results.append(el("li", { class: "muted", text: "more matches: refine the search" }));
    });
    return pane;
  }

  async function showExecution(key) {
    const execution = await getJSON(`${api}/execution?${new URLSearchParams({ key })}`);
    for (const link of document.querySelectorAll(".step-link.selected")) link.classList.remove("selected");
    for (const link of document.querySelectorAll(".step-link")) if (link.dataset.key === key) link.classList.add("selected");
    detail.replaceChildren();
    detail.dataset.key = key;
    const facts = [execution.kind, execution.status, ms(execution.duration_ms)];
    if (execution.attempts > 1) facts.push(`${execution.attempts} attempts`);
    detail.append(el("h2", { text: key }), el("p", { class: "muted", text: facts.filter(Boolean).join(" · ") }));
    if (execution.error) detail.append(el("p", { class: "error", text: execution.error }));
    for (const warning of execution.warnings) detail.append(el("p", { class: "warning", text: `⚠ ${warning}` }));
    detail.append(valuePane(execution, "input"));
    if (execution.status === "finished") detail.append(valuePane(execution, "output"));
  }

  async function timeline() {
    const data = await getJSON(`${api}/timeline`);
    const box = document.getElementById("timeline");
    box.replaceChildren();
    for (const row of data.rows) {
      const lanes = Math.max(1, row.lanes + 1);
      const track = el("div", { class: "track", style: `height:${lanes * 8 + 4}px` });
      for (const bar of row.bars) {
        const left = (bar.start / data.span) * 100;
        const width = Math.max(0.2, ((bar.end - bar.start) / data.span) * 100);
        const top = bar.key === row.key ? 0 : (bar.lane + 1) * 8;
        track.append(el("div", { class: `bar status-${bar.status}`, title: `${bar.key} ${ms((bar.end - bar.start) * 1000)}`, style: `left:${left}%;width:${width}%;top:${top}px` }));
        for (const [from, until] of bar.waits || []) {
          const start = (from / data.span) * 100;
          const width = Math.max(0.2, ((Math.min(until, data.span) - from) / data.span) * 100);
          track.append(el("div", { class: "bar wait", title: `${bar.key} waiting`, style: `left:${start}%;width:${width}%;top:${top}px` }));
        }
        for (const [from, until] of bar.throttles || []) {
          const start = (from / data.span) * 100;
          const width = Math.max(0.2, ((Math.min(until, data.span) - from) / data.span) * 100);
          track.append(el("div", { class: "bar throttle", title: `${bar.key} rate limit: paused ${ms((until - from) * 1000)}`, style: `left:${start}%;width:${width}%;top:${top}px` }));
        }
      }
      box.append(el("div", { class: "timeline-row" }, el("span", { class: "label", text: row.key }), track));
    }
    if (data.hidden) box.append(el("p", { class: "muted", text: `${data.hidden} more iterations not drawn` }));
    box.append(el("p", { class: "muted", text: `0 – ${data.span.toFixed(2)} s; lanes under a loop are iterations running at the same time; hatched: waiting (a delay), cross-hatched: paused by the rate limit` }));
  }

  async function refreshTree() {
    const state = await getJSON(api);
    header(state);
    const open = treeRoot.querySelector(".iterations:not([hidden]), .body:not([hidden])");
    if (open && treeRoot.children.length) return updateTopLevel(state.tree);
    treeRoot.replaceChildren();
    renderNodes(treeRoot, state.tree);
  }

  function updateTopLevel(nodes) {
    for (const node of nodes) {
      const li = [...treeRoot.children].find((item) => item.dataset.key === node.key);
      if (!li) continue;
      const badge = li.querySelector(":scope > .row .status");
      badge.replaceWith(statusBadge(node.status));
      const count = li.querySelector(":scope > .row .count");
      if (count) count.textContent = `${node.iterations} iterations`;
    }
  }

  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", async () => {
      const message = document.getElementById("action-message");
      message.textContent = "…";
      try {
        const answer = await post(`${api}/${button.dataset.action}`);
        if (answer.action === "rerun") {
          location.href = `/runs/${answer.run_id}`;
          return;
        }
        message.textContent = `${answer.action}: requested`;
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }

  refreshTree().then(timeline);
  const stream = new EventSource(`${api}/stream`);
  stream.addEventListener("run", (event) => {
    const state = JSON.parse(event.data);
    header(state);
    const digest = `${state.run.status}/${state.run.steps_finished}/${state.run.attempts}`;
    if (lastSummary && digest !== lastSummary) refreshTree().then(timeline);
    lastSummary = digest;
  });
}

/* ---------------- try an operation ---------------- */
function operationPage() {
  const form = document.getElementById("try-form");
  const status = document.getElementById("try-status");
  function inputValue() {
    const data = {};
    for (const field of form.querySelectorAll("[data-control]")) {
      const raw = field.value.trim();
      if (raw === "") continue;
      const control = field.dataset.control;
      if (control === "number") data[field.name] = Number(raw);
      else if (control === "boolean") data[field.name] = raw === "true";
      else if (control === "json") data[field.name] = JSON.parse(raw);
      else if (control === "select" && ["integer", "number"].includes(field.dataset.jsonType)) data[field.name] = Number(raw);
      else data[field.name] = raw;
    }
    return data;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let input;
    try {
      input = inputValue();
    } catch (error) {
      status.textContent = `not sent: a JSON field does not parse (${error.message})`;
      return;
    }
    status.textContent = "calling…";
    const answer = await post(`/api/operations/${encodeURIComponent(form.dataset.operation)}/try`, {
      input,
      target: document.getElementById("try-target").value,
    }).catch((error) => ({ ok: false, error: error.message }));
    if (answer.step_yaml) document.getElementById("try-yaml").textContent = answer.step_yaml;
    const reply = document.getElementById("try-reply");
    reply.replaceChildren();
    if (!answer.ok) {
      status.textContent = answer.error;
      status.className = "error";
      return;
    }
    status.textContent = `reply from ${answer.target}`;
    status.className = "ok";
    const stepId = (answer.step_yaml.match(/id: (\S+)/) || [])[1];
    new JsonTree.Tree(reply, JsonTree.localSource(answer.reply, stepId ? `$.steps.${stepId}` : null)).show();
  });
}

document.getElementById("pathbar-copy").addEventListener("click", () => {
  const bar = document.getElementById("pathbar");
  if (bar.dataset.path) JsonTree.copy(bar.dataset.path);
});
fillTimes();
({ runs: runsPage, run: runPage, operation: operationPage })[document.body.dataset.page]?.();
