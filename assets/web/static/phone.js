// Növbə phone page: follows one ticket over its own event stream; sends the rating once; alerts
// the visitor (a short sound, vibration, a flashing title) when they are 3rd in line and each
// time they are called, and keeps the screen awake where the browser can (Wake Lock API).
(function () {
  "use strict";
  const root = document.getElementById("phone");
  if (!root) return;
  const token = root.dataset.token;
  const lang = root.dataset.lang;
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);

  function show(id, text) {
    const el = $(id);
    el.textContent = text || "";
    el.hidden = !text;
    const label = $(`${id}-label`);
    if (label) label.hidden = !text;
  }

  // ---- alerts: "near" (3rd in line or closer) once, "called" at every call --------------------
  const stageOf = (v) => v.status === "called" ? `called-${v.calls || 1}`
    : (v.status === "waiting" && v.ahead !== null && v.ahead !== undefined && v.ahead <= 2) ? "near"
    : v.status;
  let stage = stageOf({ status: root.dataset.status, calls: Number(root.dataset.calls),
    ahead: root.dataset.ahead === "" ? null : Number(root.dataset.ahead) });
  let audio = null;              // an AudioContext, unlocked by the visitor's tap where required
  const baseTitle = document.title;
  let flashing = null;

  function beep(times) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state !== "running") audio.resume();
      if (audio.state !== "running") return false;
      let at = audio.currentTime + 0.05;
      for (let i = 0; i < times; i++) {
        for (const [freq, len] of [[880, 0.18], [660, 0.28]]) {
          const osc = audio.createOscillator(), gain = audio.createGain();
          osc.frequency.value = freq;
          gain.gain.setValueAtTime(0.0001, at);
          gain.gain.exponentialRampToValueAtTime(0.6, at + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, at + len);
          osc.connect(gain).connect(audio.destination);
          osc.start(at); osc.stop(at + len + 0.02);
          at += len + 0.05;
        }
        at += 0.25;
      }
      return true;
    } catch (e) {
      return false;
    }
  }

  function flashTitle(text) {
    stopFlash();
    let on = false, ticks = 0;
    flashing = setInterval(() => {
      on = !on;
      document.title = on ? text : baseTitle;
      if (++ticks >= 60) stopFlash();              // 30 s, or until the visitor looks
    }, 500);
    document.title = text;
  }
  function stopFlash() {
    if (flashing) clearInterval(flashing);
    flashing = null;
    document.title = baseTitle;
  }
  ["pointerdown", "keydown"].forEach((e) => document.addEventListener(e, () => { if (flashing) stopFlash(); }));

  function alertVisitor(kind, v) {
    const called = kind === "called";
    const note = called ? `🔔 ${T["It's your turn!"]}` : T["You are 3rd in line: please come closer to the counters"];
    const turn = $("turn-alert");
    turn.textContent = note;                         // role=alert: read out by screen readers
    turn.hidden = false;
    turn.dataset.kind = kind;
    if (beep(called ? 2 : 1)) root.dataset.sounds = String(Number(root.dataset.sounds) + 1);
    if (navigator.vibrate) navigator.vibrate(called ? [400, 150, 400, 150, 400] : [250, 120, 250]);
    flashTitle(`${called ? "🔔 " + T["It's your turn!"] : T["Your turn is soon"]} — ${v.code}`);
    root.dataset.alerted = (root.dataset.alerted ? root.dataset.alerted + " " : "") + kind;
  }

  // ---- the screen stays awake where the browser can; where not, the visitor is told ---------
  let wakeLock = null;
  async function keepAwake() {
    const awake = $("awake");
    if (!("wakeLock" in navigator)) {      // iOS before 16.4, or a page not served over HTTPS
      awake.textContent = T["Keep this page open with the screen on: a locked phone cannot alert you here."];
      awake.dataset.state = "unsupported";
      return;
    }
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      awake.textContent = T["The screen stays on while this page is open."];
      awake.dataset.state = "on";
      wakeLock.addEventListener("release", () => { wakeLock = null; });
    } catch (e) {
      awake.textContent = T["Keep this page open with the screen on: a locked phone cannot alert you here."];
      awake.dataset.state = "refused";
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !wakeLock && $("awake").dataset.state === "on") keepAwake();
  });

  $("alerts-on").addEventListener("click", () => {   // a tap unlocks sound and vibration
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    audio.resume();
    if (navigator.vibrate) navigator.vibrate(1);
    $("alerts-on").hidden = true;
    $("alerts-state").textContent = T["Sound and vibration are on"];
    root.dataset.alertsOn = "1";
    keepAwake();
  });
  keepAwake();

  function render(v) {
    root.dataset.status = v.status;
    root.dataset.ahead = v.ahead === null || v.ahead === undefined ? "" : String(v.ahead);
    $("code").textContent = v.code;
    $("service").textContent = v.service;
    $("headline").textContent = v.headline;
    $("status").textContent = v.status_text;
    show("counter", v.counter_text);
    show("ahead", v.ahead_text);
    show("wait", v.wait_text);
    $("rating").hidden = !v.can_rate;
    $("thanks").hidden = v.rating === null || v.rating === undefined;
    $("rated").textContent = v.rating || "";
    $("alerting").hidden = !["waiting", "called"].includes(v.status);
    if (v.status !== "waiting" && v.status !== "called") $("turn-alert").hidden = true;
    const next = stageOf(v);
    if (next !== stage && (next === "near" || next.startsWith("called"))) {
      if (!(next === "near" && stage.startsWith("called"))) alertVisitor(next === "near" ? "near" : "called", v);
    }
    stage = next;
  }

  $("rate-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const score = Number((e.submitter && e.submitter.value) || 0);
    if (!score) return;
    const r = await fetch(`/api/status/${token}/rate`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ score }),
    }).catch(() => null);
    if (r && (r.ok || r.status === 409)) {
      $("rating").hidden = true;
      $("thanks").hidden = false;
      if (r.ok) $("rated").textContent = String(score);
    } else {
      $("live").textContent = T["Could not send the rating"];
    }
  });

  const live = $("live");
  const keepOpen = live.textContent;
  const source = new EventSource(`/t/${token}/events?lang=${lang}`);
  source.addEventListener("status", (e) => render(JSON.parse(e.data)));
  source.addEventListener("end", () => { source.close(); live.dataset.state = "ended"; });
  source.onopen = () => { live.dataset.state = "live"; live.textContent = keepOpen; };
  source.onerror = () => { live.dataset.state = "reconnecting"; live.textContent = T["Reconnecting…"]; };
})();
