// Növbə phone page: follows one ticket over its own event stream; sends the rating once.
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

  function render(v) {
    root.dataset.status = v.status;
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
