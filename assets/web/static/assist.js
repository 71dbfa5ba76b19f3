// Növbə help desk (/assist): issue a ticket for a visitor (printed at a kiosk or as a QR code for
// their phone) and answer help requests; follows the event stream. No build step, no framework.
(function () {
  "use strict";
  const root = document.getElementById("assist");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const lang = root.dataset.lang;
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);
  const fill = (text, vars) => Object.entries(vars || {}).reduce((s, [k, v]) => s.replace(`{${k}}`, v), text);
  let lastIssued = null;     // {code, print_at}: "printed" events for it are shown
  let asked = 0;

  // ---- the service list (in the language's alphabetical order, from the server): filtered
  const list = $("service-list");
  const choices = Array.from(list.querySelectorAll("label.choice"));
  const fold = (s) => s.toLocaleLowerCase(lang).normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  choices.forEach((c) => { c.dataset.key = fold(`${c.dataset.name} ${c.dataset.category}`); });

  function filterServices() {
    const words = fold($("service-search").value.trim()).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const c of choices) {
      const match = words.every((w) => c.dataset.key.includes(w));
      const checked = c.querySelector("input").checked;
      c.hidden = !(match || checked);
      if (!c.hidden) shown += 1;
    }
    $("service-count").textContent = shown ? fill(T["{n} services"], { n: shown }) : T["No service matches"];
  }
  $("service-search").addEventListener("input", filterServices);
  $("service-search").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();                          // Enter picks the first match, not the form
    const first = choices.find((c) => !c.hidden);
    if (first) { first.querySelector("input").checked = true; first.querySelector("input").focus(); }
  });
  filterServices();

  // ---- priority and its reason; where the ticket goes
  function syncFields() {
    const prio = $("priority").value;
    $("reason-label").hidden = !prio;
    const print = $("delivery-print").checked;
    $("kiosk-label").hidden = !print;
  }
  $("priority").addEventListener("change", syncFields);
  $("reason").addEventListener("input", () => { if ($("reason").value.trim()) fieldError(null, ""); });
  $("kiosk").addEventListener("change", () => fieldError(null, ""));
  list.addEventListener("change", () => fieldError(null, ""));
  document.querySelectorAll("input[name=delivery]").forEach((r) => r.addEventListener("change", syncFields));
  syncFields();

  function fieldError(field, text) {
    const ids = { service: "service-error", reason: "reason-error", kiosk: "kiosk-error" };
    for (const [name, id] of Object.entries(ids)) {
      const el = $(id);
      el.textContent = name === field ? text : "";
      const input = { service: $("service-search"), reason: $("reason"), kiosk: $("kiosk") }[name];
      if (name === field) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
    if (field && !ids[field]) say(text, "error");
    const focus = { service: $("service-search"), reason: $("reason"), kiosk: $("kiosk") }[field];
    if (focus) { if (field === "kiosk") $("kiosk-label").hidden = false; focus.focus(); }
  }
  function say(text, kind) {
    $("message").textContent = text || "";
    $("message").dataset.kind = kind || "info";
  }

  function value(name) {
    const el = document.querySelector(`input[name=${name}]:checked`);
    return el ? el.value : "";
  }

  $("issue-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      service: value("service"), priority: $("priority").value, reason: $("reason").value,
      language: value("language") || lang, delivery: value("delivery"), kiosk: $("kiosk").value,
    };
    if (!body.service) { fieldError("service", T["Choose a service"]); return; }
    if (body.priority && !body.reason.trim()) { fieldError("reason", T["Say why the visitor has priority"]); return; }
    if (body.delivery === "print" && !body.kiosk) { fieldError("kiosk", T["Choose a kiosk printer from the list"]); return; }
    fieldError(null, "");
    say(T["Issuing…"]);
    $("issue").disabled = true;
    try {
      const r = await fetch(`/assist/tickets?lang=${lang}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const data = await r.json().catch(() => ({}));
      if (r.status === 401) { location.reload(); return; }
      if (!r.ok) {
        if (data.field) fieldError(data.field, data.message);
        else say(T[data.error] || (lang === "en" && data.message) || T["Something is not right"], "error");
        return;
      }
      say("");
      showIssued(data);
    } catch (err) {
      say(T["QueueUnavailable"] || T["Something is not right"], "error");
    } finally {
      $("issue").disabled = false;
    }
  });

  function showIssued(t) {
    lastIssued = t;
    root.dataset.issued = t.code;
    $("issued-code").textContent = t.code;
    $("issued-service").textContent = t.service;
    $("issued-priority").hidden = !t.priority;
    $("issued-priority").textContent = t.priority || "";
    $("issued-ahead").textContent = t.ahead_text;
    $("issued-wait").textContent = t.wait_text || "—";
    $("issued-delivery").textContent = t.delivery_text;
    $("issued-delivery").dataset.state = t.print_at ? "sent" : "qr";
    const qr = $("issued-qr");
    if (t.qr_svg) {
      qr.innerHTML = t.qr_svg;                 // server-made SVG of the phone page's address
      qr.setAttribute("aria-label", fill(T["QR code of ticket {code}"], { code: t.code }));
      qr.hidden = false;
      $("issued-link").href = t.phone_url;
      $("issued-link").hidden = false;
    } else {
      qr.replaceChildren();
      qr.hidden = true;
      $("issued-link").hidden = true;
    }
    $("issue-form").closest("section").hidden = true;
    $("issued").hidden = false;
    $("issued").focus();
  }

  $("issue-another").addEventListener("click", () => {
    lastIssued = null;
    $("issued").hidden = true;
    $("issue-form").reset();
    document.querySelector(`input[name=language][value=${lang}]`).checked = true;
    syncFields();
    filterServices();
    $("issue-form").closest("section").hidden = false;
    $("service-search").focus();
  });

  // ---- kiosks and help requests, re-read after each batch of events
  function renderState(s) {
    const kiosk = $("kiosk");
    const chosen = kiosk.value;
    kiosk.replaceChildren();
    for (const k of s.kiosks) {
      const o = document.createElement("option");
      o.value = k.source;
      o.textContent = `${k.name} — ${k.state}`;
      o.dataset.ok = k.ok ? "1" : "";
      kiosk.append(o);
    }
    if (chosen) kiosk.value = chosen;
    $("delivery-print").disabled = !s.kiosks.length;
    const helpList = $("help-list");
    const known = new Set(s.help.map((h) => h.source));
    helpList.querySelectorAll("li[data-source]").forEach((li) => { if (!known.has(li.dataset.source)) li.remove(); });
    helpList.querySelectorAll("li.empty").forEach((li) => li.remove());
    for (const h of s.help) {
      if (helpList.querySelector(`li[data-source="${CSS.escape(h.source)}"]`)) continue;
      const li = document.createElement("li");
      li.dataset.source = h.source;
      li.className = "help";
      const text = document.createElement("span");
      text.textContent = h.text;
      const button = window.novbeAlerts.goButton(h.source, T["I'm going"], csrf, refresh);
      li.append(text, button);
      helpList.append(li);
    }
    if (!s.help.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = T["Nobody has asked for help"];
      helpList.append(li);
    }
    root.dataset.help = s.help.map((h) => h.source).join(" ");
  }

  async function refresh() {
    const mine = ++asked;
    try {
      const r = await fetch(`/assist/state.json?lang=${lang}`, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (r.status === 401) { location.reload(); return; }
      if (!r.ok) throw new Error(String(r.status));
      const data = await r.json();
      if (mine === asked) renderState(data);
    } catch (err) {
      $("live").textContent = T["Reconnecting…"];
      $("live").dataset.state = "reconnecting";
    }
  }
  let timer = null;
  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; refresh(); }, 80);
  }

  function seen(e) {
    if (lastIssued && lastIssued.print_at && e.kind === "printed" && e.code === lastIssued.code) {
      $("issued-delivery").textContent = fill(T["Printed at {kiosk}"], { kiosk: lastIssued.kiosk_name });
      $("issued-delivery").dataset.state = "printed";
    }
    if (/^(help_|printer_|print_failed|printed)/.test(e.kind)) refreshSoon();
  }

  const source = new EventSource("/api/events/stream");
  source.onopen = () => { $("live").textContent = T["Live"]; $("live").dataset.state = "live"; refresh(); };
  source.onmessage = (m) => seen(JSON.parse(m.data));
  source.onerror = () => { $("live").textContent = T["Reconnecting…"]; $("live").dataset.state = "reconnecting"; };
  refresh();
})();
