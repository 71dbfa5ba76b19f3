/* Növbə staffing planner page: the learned-day fields, the working sign, printing. */
(function () {
  var form = document.getElementById("plan-form"), pick = document.getElementById("scenario");
  function learned() {
    var on = pick.value === "learned";
    document.querySelectorAll(".learned").forEach(function (el) { el.hidden = !on; });
  }
  pick.addEventListener("change", learned); learned();
  var printer = document.getElementById("print-plan");
  if (printer) { printer.addEventListener("click", function () { window.print(); }); }
  window.addEventListener("pageshow", function () {      // back to a page kept in the cache
    document.getElementById("plan-working").classList.remove("on");
    document.getElementById("make-plan").disabled = false;
  });
  form.addEventListener("submit", function () {
    var box = document.getElementById("plan-working"), secs = document.getElementById("plan-seconds");
    var started = Date.now();
    box.classList.add("on");
    document.getElementById("make-plan").disabled = true;
    var shown = document.getElementById("plan-progress"), words = box.getAttribute("data-progress");
    setInterval(function () { secs.textContent = Math.round((Date.now() - started) / 1000) + " s"; }, 1000);
    setInterval(function () {                            // the server's count of hours worked out
      fetch("/manager/plan/progress.json", {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (p && p.running && p.total) {
            shown.textContent = "— " + words.replace("{done}", p.done).replace("{total}", p.total);
          }
        })
        .catch(function () {});
    }, 1500);
  });
})();
