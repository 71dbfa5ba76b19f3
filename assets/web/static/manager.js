// Növbə manager's live view: read /manager/live.json, then again after each batch of queue
// events from the event stream, and every 30 s (no reloads). No build step, no framework.
(function () {
  "use strict";
  const root = document.getElementById("hall");
  if (!root) return;
  const lang = root.dataset.lang;
  const csrf = (document.querySelector("input[name=csrf]") || {}).value || "";
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);
  const DASH = "—";
  let state = null;
  let clockOffset = 0;
  let timer = null;

  function fmt(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return DASH;
    seconds = Math.max(0, Math.round(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
  }
  const pct = (v) => (v === null || v === undefined) ? DASH : `${v.toFixed(1)} %`;
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function row(cells) {
    const tr = document.createElement("tr");
    for (const [text, cls] of cells) tr.append(el("td", text, cls));
    return tr;
  }

  function render(s) {
    state = s;
    clockOffset = s.now - Date.now() / 1000;
    $("service-day").textContent = s.service_day;
    root.dataset.lastEvent = s.last_event_id;
    const t = s.today;
    for (const k of ["issued", "served", "no_show", "cancelled", "waiting"]) $(`t-${k}`).textContent = t[k];
    for (const k of ["wait_mean_s", "wait_median_s", "wait_p90_s"]) $(`t-${k}`).textContent = fmt(t[k]);
    $("t-within_target_pct").textContent = pct(t.within_target_pct);
    $("t-satisfied_pct").textContent = pct(t.satisfied_pct);

    const waiting = $("waiting-table").tBodies[0];
    waiting.replaceChildren();
    if (!s.services.length) waiting.append(row([[T["Nobody is waiting"], "empty"], ["", ""], ["", ""], ["", ""]]));
    for (const w of s.services) {
      const tr = row([[w.name, ""], [w.waiting, "num"], [`${w.longest_min} ${T["min"]}`, "num"], [`${w.target_min} ${T["min"]}`, "num"]]);
      if (w.late) tr.classList.add("late");
      tr.dataset.service = w.id;
      waiting.append(tr);
    }
    const cats = $("categories");
    cats.replaceChildren();
    for (const c of s.categories) cats.append(el("li", `${c.name}: ${c.waiting}`));

    const idle = $("idle");
    idle.replaceChildren();
    if (!s.idle.length) idle.append(el("li", T["No counter is idle while people wait"], "empty"));
    for (const i of s.idle) idle.append(el("li", `${i.id}${i.staff ? " (" + i.staff + ")" : ""} — ${i.waiting_for_it} ${T["waiting"]}`, "idle"));

    const alerts = $("alerts");
    alerts.replaceChildren();
    if (!s.alerts.length) alerts.append(el("li", T["No alerts"], "empty"));
    for (const a of s.alerts) {     // the device's own words (often English) are for IT:
      const li = el("li", a.text, "alert");   // in the page's source, not on the screen
      if (a.message) li.dataset.detail = a.message;
      li.dataset.kind = a.kind;
      if (window.novbeAlerts.isHelp(a.kind)) {       // a visitor asks for help: someone goes
        li.classList.add("alert-row");
        li.dataset.source = a.source;
        li.append(window.novbeAlerts.goButton(a.source, T["I'm going"], csrf, refresh));
      }
      alerts.append(li);
    }
    window.novbeAlerts.announce(s.alerts);

    const counters = $("counters-table").tBodies[0];
    counters.replaceChildren();
    for (const c of s.counters) {
      const v = c.visit;
      const tr = row([[c.id, ""], [c.mode_text, "mode"], [c.staff || DASH, ""], [c.serves, "serves"],
        [v ? `${v.code} · ${v.status_text}` : DASH, "visit"], ["", "num running"], [c.waiting_for_it, "num"]]);
      tr.dataset.counter = c.id;
      tr.dataset.mode = c.mode;
      if (v) { tr.dataset.visit = v.code; tr.dataset.since = String(s.now - (v.running_s || 0)); }
      if (c.idle) tr.classList.add("idle");
      counters.append(tr);
    }
    const central = $("central-copy");
    central.textContent = s.central || "";
    central.hidden = !s.central;
    tick();
  }

  function tick() {
    const now = Date.now() / 1000 + clockOffset;
    document.querySelectorAll("#counters-table tr[data-since]").forEach((tr) => {
      tr.querySelector(".running").textContent = fmt(now - Number(tr.dataset.since));
    });
  }

  let asked = 0;   // a reply to an earlier request that comes after a later one is dropped
  async function refresh() {
    const mine = ++asked;
    try {
      const r = await fetch(`/manager/live.json?lang=${lang}`, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (r.status === 401 || r.status === 403) { location.reload(); return; }
      if (!r.ok) throw new Error(String(r.status));
      const data = await r.json();
      if (mine === asked) render(data);
    } catch (e) {
      $("live").textContent = T["Reconnecting…"];
      $("live").dataset.state = "reconnecting";
    }
  }
  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; refresh(); }, 100);
  }

  const source = new EventSource("/api/events/stream");
  source.onopen = () => { $("live").textContent = T["Live"]; $("live").dataset.state = "live"; refresh(); };
  source.onmessage = () => refreshSoon();
  source.onerror = () => { $("live").textContent = T["Reconnecting…"]; $("live").dataset.state = "reconnecting"; };
  refresh();
  setInterval(tick, 1000);
  setInterval(refresh, 30000);   // the central copy catches up without queue events
})();
