// Növbə counter console: big buttons → JSON API (with the session's CSRF token);
// the event stream → re-read this counter's state. No build step, no framework.
(function () {
  "use strict";
  const root = document.getElementById("console");
  if (!root) return;
  const counter = root.dataset.counter;
  const csrf = root.dataset.csrf;
  const lang = root.dataset.lang;
  const services = new Set((root.dataset.services || "").split(" "));
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);
  let state = null;
  let clockOffset = 0;          // server time − browser time, seconds
  let busy = false;
  let refreshTimer = null;
  let undo = null;              // {code, outcome, until}: the last outcome, correctable until
  let undoAsked = false;        // Undo pressed while an action was still finishing

  function fmt(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "—";
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(s).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }
  const now = () => Date.now() / 1000 + clockOffset;

  function say(text, kind) {
    const m = $("message");
    m.textContent = text || "";
    m.dataset.kind = kind || "info";
  }

  // The queue's rule (README, the queue rules): Start is optional; a called visitor counts as at
  // the window once walk_up_s has passed since the last call or recall. Said before Next.
  function atWindowAt(t) {
    return Math.max(t.called_at, t.recalled_at || 0) + state.walk_up_s;
  }
  function nextHint(t) {
    if (t.status === "serving") return T["hint:serving"].replace("{code}", t.code);
    const left = atWindowAt(t) - now();
    if (left > 0) return T["hint:walking"].replace("{code}", t.code).replace("{time}", fmt(left));
    return T["hint:at_window"].replace("{code}", t.code);
  }
  function recorded(ended) {
    const text = T[`outcome:${ended.outcome}`] || T["outcome:served"];
    return text.replace("{code}", ended.code).replace("{time}", fmt(ended.seconds));
  }
  function renderUndo() {
    const b = $("btn-undo");
    if (!undo || now() > undo.until) { b.hidden = true; undo = null; return; }
    const key = undo.outcome === "no_show" ? "Undo: {code} was served" : "Undo: {code} did not come";
    b.textContent = `${T[key].replace("{code}", undo.code)} (${fmt(undo.until - now())})`;
    b.hidden = false;
  }
  function offerUndo(ended) {
    undo = ended && state && state.undo_s ? { ...ended, until: now() + state.undo_s } : null;
    renderUndo();
  }

  function renderTimes() {
    if (!state) return;
    const t = state.ticket;
    if (t) {
      const waitedUntil = t.called_at || now();
      $("current-waited").textContent = fmt(waitedUntil - t.issued_at);
      const began = t.started_at || (now() >= atWindowAt(t) ? t.called_at : null);
      $("current-serving").textContent = began ? fmt(now() - began) : "—";
      $("next-hint").textContent = nextHint(t);
      $("next-hint").dataset.records = t.status === "serving" || now() >= atWindowAt(t) ? "served" : "no_show";
    }
    renderUndo();
    $("waiting-oldest").textContent = state.oldest_issued_at ? fmt(now() - state.oldest_issued_at) : "—";
    document.querySelectorAll("#waiting-list [data-issued]").forEach((el) => {
      el.textContent = fmt(now() - Number(el.dataset.issued));
    });
  }

  function renderProfile(p, offered) {
    $("profile-name").textContent = p.name;
    $("profile-why").textContent = `(${p.by_text})`;
    const changed = root.dataset.profile !== p.id;
    root.dataset.profile = p.id;
    const choice = $("profile-choice");
    if (!choice) return;
    if (choice.options.length !== offered.length) {
      choice.replaceChildren(...offered.map((o) => new Option(o.name, o.id)));
      choice.value = p.id;
    } else if (changed && document.activeElement !== choice) {
      choice.value = p.id;
    }
  }

  async function switchProfile() {
    const choice = $("profile-choice");
    const r = await fetch(`/api/counters/${encodeURIComponent(counter)}/profile`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify({ profile: choice.value }),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const english = document.documentElement.lang === "en" ? data.message : "";
      say(T[data.error] || english || T["Something is not right"], "error");
      return;
    }
    say(T["Profile {name} from the next Next"].replace("{name}", choice.selectedOptions[0].textContent), "ok");
    refresh();
  }

  function render(s) {
    state = s;
    clockOffset = s.now - Date.now() / 1000;
    renderProfile(s.profile, s.profile_choices);
    const mode = $("mode");
    mode.textContent = s.mode_text;
    mode.dataset.mode = s.mode;
    const t = s.ticket;
    $("current").hidden = !t;
    $("current-empty").hidden = !!t;
    root.dataset.ticket = t ? t.code : "";
    root.dataset.ticketStatus = t ? t.status : "";
    if (t) {
      $("current-code").textContent = t.code;
      $("current-service").textContent = t.service;
      $("current-status").textContent = t.status_text;
      $("current-status").dataset.status = t.status;
      const p = $("current-priority");
      p.hidden = !t.priority;
      p.textContent = t.priority || "";
    }
    $("waiting-count").textContent = s.waiting_text;
    $("waiting-order").textContent = s.waiting_order_text;
    $("waiting-priority").textContent = s.priority_count;
    const list = $("waiting-list");
    list.replaceChildren();
    if (!s.waiting.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = T["Nobody is waiting"];
      list.append(li);
    }
    for (const w of s.waiting) {
      const li = document.createElement("li");
      if (w.priority) li.classList.add("priority");
      const code = document.createElement("span"); code.className = "code"; code.textContent = w.code;
      const svc = document.createElement("span"); svc.className = "service"; svc.textContent = w.service;
      const waited = document.createElement("span"); waited.className = "waited"; waited.dataset.issued = w.issued_at;
      li.append(code, svc);
      if (w.priority) {
        const tag = document.createElement("span"); tag.className = "priority-tag"; tag.textContent = w.priority;
        li.append(tag);
      }
      if (w.level === "backup") {      // called by this counter only as its profile's backup
        li.classList.add("backup");
        const tag = document.createElement("span"); tag.className = "level-tag"; tag.textContent = w.level_text;
        li.append(tag);
      }
      li.append(waited);
      list.append(li);
    }
    const alerts = $("alerts");
    alerts.replaceChildren();
    for (const a of s.alerts) {
      const p = document.createElement("p");
      p.className = "alert"; p.dataset.kind = a.kind;
      p.textContent = a.text;  // the device's own words (often English) are for IT:
      if (a.message) p.dataset.detail = a.message;  // in the page's source, not on the screen
      if (window.novbeAlerts.isHelp(a.kind)) {       // a visitor asks for help: someone goes
        p.classList.add("alert-row");
        p.dataset.source = a.source;
        p.append(window.novbeAlerts.goButton(a.source, T["I'm going"], csrf, refresh));
      }
      alerts.append(p);
    }
    alerts.hidden = !s.alerts.length;
    window.novbeAlerts.announce(s.alerts);
    const has = (st) => t && st.includes(t.status);
    const open = s.mode !== "closed";
    $("btn-recall").disabled = !has(["called"]);
    $("btn-start").disabled = !has(["called"]);
    $("btn-finish").disabled = !has(["called", "serving"]);
    $("btn-no-show").disabled = !has(["called"]);
    $("btn-transfer").disabled = !has(["called", "serving"]);
    $("btn-pause").disabled = s.mode !== "open";
    $("btn-pause").hidden = s.mode === "paused";       // paused: Resume takes its place
    $("btn-open").hidden = s.mode !== "paused";
    $("btn-open").disabled = s.mode !== "paused";
    if ($("transfer-service").options.length < 2) $("btn-transfer").disabled = true;
    $("btn-close").disabled = !open || !!t;
    if (s.taken_over_by) {           // another staff member took this counter over
      document.querySelectorAll("[data-action]").forEach((b) => { b.disabled = true; });
      root.dataset.takenOver = s.taken_over_by;
      say(T["Counter {counter} was taken over by {staff}"].replace("{counter}", counter)
        .replace("{staff}", s.taken_over_by), "error");
    } else if (root.dataset.takenOver) {
      root.dataset.takenOver = "";
      say("");
    }
    renderTimes();
  }

  async function refresh() {
    try {
      const r = await fetch(`/counter/state?lang=${lang}`, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (r.status === 401) { location.reload(); return; }
      if (!r.ok) throw new Error(String(r.status));
      render(await r.json());
    } catch (e) {
      say(T["QueueUnavailable"], "error");
    }
  }
  function refreshSoon() {            // many events in a burst → one read
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 80);
  }

  // What an action did, in words: the ticket and what became of it (never a bare "Done").
  function done(action, data) {
    const code = (text) => T[text].replace("{code}", data.code || "");
    switch (action) {
      case "next": case "recall": return code("Ticket {code} called");
      case "start": return code("{code}: service started");
      case "finish": return code("{code}: visit finished");
      case "no-show": return code("{code}: did not come");
      case "transfer": {
        const option = $("transfer-service").selectedOptions[0];
        return code("{code}: sent to {service}").replace("{service}", option ? option.textContent : data.service);
      }
      case "pause": return T["Counter paused: nobody is called until you resume"];
      case "open": return T["Counter open again"];
      default: return T["Counter closed"];
    }
  }

  // One action at a time (a second Next must never call a second visitor): while one is on its
  // way the buttons are shown busy, and a press meanwhile is answered, not lost in silence (in
  // words, in the live message: no aria-busy here, which would hold back its announcements).
  function setBusy(on) {
    busy = on;
    root.dataset.busy = on ? "1" : "";
  }

  async function act(action) {
    if (busy) { say(T["One moment: the last action is still being done"], "info"); return; }
    const button = $(`btn-${action}`);
    if (root.dataset.takenOver) return;
    if (button && button.disabled && action !== "next") return;
    // `expect`: the ticket this page shows — if another window acted first, the server
    // refuses (409 CounterChanged) instead of acting on a visitor nobody looked at.
    let body = ["pause", "close", "open"].includes(action) ? null : { expect: root.dataset.ticket || "" };
    if (action === "finish") body.outcome = $("finish-outcome").value;
    if (action === "transfer") {
      const service = $("transfer-service").value;
      if (!service) { say(T["Choose a service to transfer to"], "error"); $("transfer-service").focus(); return; }
      body.service = service;
    }
    setBusy(true);
    try {
      const r = await fetch(`/api/counters/${encodeURIComponent(counter)}/${action}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: body ? JSON.stringify(body) : null,
      });
      const data = await r.json().catch(() => ({}));
      // what the action recorded about the visit it ended comes first ("B-007: served, 6:12")
      const ended = data.ended ? recorded(data.ended) + " · " : "";
      offerUndo(data.ended);
      if (!r.ok) {
        // az / ru staff read a sentence of the catalog, never the server's English message
        const english = document.documentElement.lang === "en" ? data.message : "";
        say(ended + (T[data.error] || english || T["Something is not right"]), data.ended ? "ok" : "error");
      } else if (action === "next") {
        say(ended + done(action, data), "ok");
      } else if (data.ended) {
        say(recorded(data.ended), "ok");
      } else {
        say(done(action, data), "ok");
        if (action === "transfer") $("transfer-service").value = "";   // the next visitor chooses anew
      }
      await refresh();
    } catch (e) {
      say(T["QueueUnavailable"], "error");
    } finally {
      setBusy(false);
      if (undoAsked) { undoAsked = false; correct(); }
    }
  }

  async function correct() {      // Undo: the outcome just recorded, put right inside its window
    if (busy) { undoAsked = true; return; }
    if (!undo) return;
    const outcome = undo.outcome === "no_show" ? "served" : "no_show";
    setBusy(true);
    try {
      const r = await fetch(`/api/counters/${encodeURIComponent(counter)}/correct`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ ticket: undo.code, outcome }),
      });
      const data = await r.json().catch(() => ({}));
      undo = null;
      renderUndo();
      if (!r.ok) {
        const english = document.documentElement.lang === "en" ? data.message : "";
        say(T[data.error] || english || T["Something is not right"], "error");
      } else {
        say(`${recorded(data)} (${T["corrected"]})`, "ok");
      }
    } catch (e) {
      say(T["QueueUnavailable"], "error");
    } finally {
      setBusy(false);
    }
  }
  $("btn-undo").addEventListener("click", correct);
  if ($("btn-profile")) $("btn-profile").addEventListener("click", switchProfile);

  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => act(b.dataset.action)));
  const keys = {};
  document.querySelectorAll("[data-key]").forEach((b) => { if (b.dataset.key) keys[b.dataset.key] = b.dataset.action; });
  // WCAG 2.1.4: the one-letter shortcuts can be switched off (kept in this browser).
  const shortcuts = $("shortcuts");
  const syncShortcuts = () => { root.dataset.shortcuts = shortcuts.checked ? "on" : "off"; };
  shortcuts.checked = localStorage.getItem("novbe.shortcuts") !== "off";
  shortcuts.addEventListener("change", () => {
    localStorage.setItem("novbe.shortcuts", shortcuts.checked ? "on" : "off");
    syncShortcuts();
  });
  syncShortcuts();
  document.addEventListener("keydown", (e) => {
    if (!shortcuts.checked || e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
    const tag = (e.target && e.target.tagName) || "";
    if (["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
    const key = lang === "az" ? e.key.replace("İ", "i").replace("I", "ı") : e.key;
    const action = keys[key.toLowerCase()];
    if (action) { e.preventDefault(); act(action); }
  });

  // Only events that can change this page: this counter, its services, printers, a new day.
  function concerns(e) {
    const d = e.details || {};
    return e.counter === counter || services.has(e.service) || services.has(d.from_service) ||
      services.has(d.to_service) || /^(printer_|print_failed|board_|speech_missing|help_)/.test(e.kind) || e.kind === "day_started";
  }

  function follow() {
    const live = $("live");
    const source = new EventSource("/api/events/stream");
    source.onopen = () => { live.textContent = T["Live"]; live.dataset.state = "live"; refresh(); };
    source.onmessage = (m) => { if (concerns(JSON.parse(m.data))) refreshSoon(); };
    source.onerror = () => { live.textContent = T["Reconnecting…"]; live.dataset.state = "reconnecting"; };
  }

  setBusy(false);
  refresh();
  follow();
  setInterval(renderTimes, 1000);
})();
