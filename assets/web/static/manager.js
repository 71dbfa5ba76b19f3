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
      const p = c.profile;
      const tr = row([[c.id, ""], [c.mode_text, "mode"], [c.staff || DASH, ""], [c.serves, "serves"],
        [p ? (p.by === "default" ? p.name : `${p.name} (${p.by_text})`) : DASH, "profile"],
        [v ? `${v.code} · ${v.status_text}` : DASH, "visit"], ["", "num running"], [c.waiting_for_it, "num"]]);
      tr.dataset.counter = c.id;
      tr.dataset.mode = c.mode;
      tr.dataset.profile = p ? p.id : "";
      if (v) { tr.dataset.visit = v.code; tr.dataset.since = String(s.now - (v.running_s || 0)); }
      if (c.idle) tr.classList.add("idle");
      counters.append(tr);
    }
    renderProfiles(s);
    const central = $("central-copy");
    central.textContent = s.central || "";
    central.hidden = !s.central;
    tick();
  }

  // ---- work profiles: switch now, schedule, call off, preview ----------------------------------
  function renderProfiles(s) {
    const pc = $("pf-counter");
    if (pc.options.length !== s.counters.length) {
      pc.replaceChildren(...s.counters.map((c) => new Option(c.id, c.id)));
      fillChoices();
    }
    const list = $("scheduled");
    list.replaceChildren();
    if (!s.scheduled.length) list.append(el("li", T["No switch is scheduled"], "empty"));
    for (const w of s.scheduled) {
      const li = el("li", T["{name} at counter {counter}, {start}–{end}"].replace("{name}", w.name)
        .replace("{counter}", w.counter).replace("{start}", w.from).replace("{end}", w.until));
      li.dataset.switch = w.id;
      const off = el("button", T["Call off"]);
      off.type = "button";
      off.addEventListener("click", () => post(`/api/profiles/schedule/${w.id}/cancel`, {}));
      li.append(" ", off);
      list.append(li);
    }
  }
  function fillChoices() {
    const c = (state.counters || []).find((x) => x.id === $("pf-counter").value);
    if (!c) return;
    $("pf-profile").replaceChildren(...c.profile_choices.map((o) => new Option(o.name, o.id)));
    if (c.profile) $("pf-profile").value = c.profile.id;
  }
  function profileSay(text, kind) {
    $("pf-message").textContent = text;
    $("pf-message").dataset.kind = kind || "";
  }
  async function post(url, body) {
    const r = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const texts = { UnknownProfile: "That work profile cannot run at this counter", Forbidden: "Only a manager may do this" };
      profileSay(T[texts[data.error]] || T["Something is not right"], "error");
      return null;
    }
    refresh();
    return data;
  }
  function at(hhmm) {          // a time of today in the centre's time zone, as epoch seconds
    const [h, m] = hhmm.split(":").map(Number);
    return state.day_start + h * 3600 + m * 60;
  }
  $("pf-counter").addEventListener("change", fillChoices);
  $("pf-switch").addEventListener("click", async () => {
    const name = $("pf-profile").selectedOptions[0].textContent;
    if (await post(`/api/counters/${encodeURIComponent($("pf-counter").value)}/profile`, { profile: $("pf-profile").value }))
      profileSay(T["Profile {name} from the next Next"].replace("{name}", name), "ok");
  });
  $("pf-schedule").addEventListener("click", async () => {
    if (!$("pf-from").value || !$("pf-until").value) { profileSay(T["Give a start and an end time"], "error"); return; }
    await post("/api/profiles/schedule", { counter: $("pf-counter").value, profile: $("pf-profile").value,
      starts_at: at($("pf-from").value), ends_at: at($("pf-until").value) });
  });

  $("pf-preview").addEventListener("click", async () => {
    const box = $("preview");
    box.hidden = false;
    box.textContent = T["Simulating the rest of today…"];
    const r = await fetch("/manager/preview?lang=" + lang, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify({ counter: $("pf-counter").value, profile: $("pf-profile").value }),
    });
    const p = await r.json().catch(() => ({}));
    if (!r.ok) { box.hidden = true; profileSay(T["That work profile cannot run at this counter"], "error"); return; }
    renderPreview(p);
  });
  function renderPreview(p) {
    const box = $("preview");
    const withIt = T["With {name} at counter {counter}"].replace("{name}", p.profile_name).replace("{counter}", p.counter);
    const table = document.createElement("table");
    table.className = "data";
    table.id = "preview-table";
    const head = table.createTHead().insertRow();
    for (const h of ["", T["As it runs now"], withIt]) head.append(el("th", h));
    const body = table.createTBody();
    const mins = (v) => (v === null || v === undefined) ? DASH : `${v} ${T["min"]}`;
    const better = (a, b, lower) => (a === null || b === null || a === b) ? "" : ((lower ? b < a : b > a) ? "better" : "");
    const lines = [
      [T["Within target"], pct(p.now.within_target_pct), pct(p.changed.within_target_pct), better(p.now.within_target_pct, p.changed.within_target_pct, false), "within"],
      [T["Predicted mean wait"], mins(p.now.wait_mean_min), mins(p.changed.wait_mean_min), better(p.now.wait_mean_min, p.changed.wait_mean_min, true), "wait"],
      [T["Not called by closing"], p.now.not_called, p.changed.not_called, better(p.now.not_called, p.changed.not_called, true), "uncalled"],
      [T["Idle while someone waited"], mins(p.now.idle_waiting_min), mins(p.changed.idle_waiting_min), better(p.now.idle_waiting_min, p.changed.idle_waiting_min, true), "idle"],
    ];
    for (const [label, a, b, cls, key] of lines) {
      const tr = row([[label, ""], [a, "num"], [b, "num " + cls]]);
      tr.dataset.figure = key;
      body.append(tr);
    }
    for (const sv of p.services) {
      const tr = row([[`${sv.name} (${sv.waiting} ${T["waiting"]})`, ""], [mins(sv.now_min), "num"], [mins(sv.changed_min), "num " + better(sv.now_min, sv.changed_min, true)]]);
      tr.dataset.service = sv.service;
      body.append(tr);
    }
    box.replaceChildren(el("h3", T["The rest of today, simulated"]), table,
      el("p", T["{waiting} waiting now and {arrivals} expected at today's rate; simulated in {seconds} s."]
        .replace("{waiting}", p.waiting).replace("{arrivals}", p.arrivals).replace("{seconds}", p.seconds.toFixed(2)), "note"));
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
