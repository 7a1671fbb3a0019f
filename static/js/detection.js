// Detection panel of the campaign page: start a run without leaving the page and follow it.
(function () {
  "use strict";
  var panel = document.getElementById("detection-panel");
  if (!panel) { return; }
  var form = panel.querySelector(".detection-start-form");
  var bar = panel.querySelector(".progress-bar");
  var holder = panel.querySelector(".progress");
  var status = panel.querySelector(".detection-status");
  var button = form ? form.querySelector("button") : null;
  var timer = null;

  function show(state) {
    var percent = state.percent || 0;
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    holder.setAttribute("aria-valuenow", percent);
    var running = state.status === "running";
    var progress = panel.querySelector(".detection-progress");
    if (progress) { progress.classList.toggle("d-none", !(running || state.status === "queued")); }
    bar.classList.toggle("progress-bar-striped", running);
    bar.classList.toggle("progress-bar-animated", running);
    bar.classList.toggle("bg-danger", state.status === "failed");
    if (button) { button.disabled = running; }
    if (state.status === "done" && state.result) {
      var r = state.result;
      // The sentence comes translated from the template (data-msg-done), with {name} slots.
      var counts = { cases: r.cases, created: r.created_total, withdrawn: r.withdrawn_total, current: r.current_total };
      status.textContent = (panel.dataset.msgDone || "比对完成：检查 {cases} 卷，新发现 {created} 个问题，撤销 {withdrawn} 个，现有系统比对问题 {current} 个。")
        .replace(/\{(\w+)\}/g, function (slot, name) { return counts[name] === undefined ? slot : counts[name]; });
    } else if (state.status === "failed") {
      status.textContent = state.message || panel.dataset.msgFailed || "比对失败";
    } else {
      status.textContent = (state.phase_label || "") + (state.total ? "（" + state.done + "/" + state.total + "）" : "");
    }
    if (state.task_id) { panel.dataset.taskId = state.task_id; }
    panel.dataset.status = state.status;
  }

  function poll() {
    var url = panel.dataset.progressUrl;
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        show(state);
        if (state.status === "running") { timer = window.setTimeout(poll, 1000); }
      })
      .catch(function () { timer = window.setTimeout(poll, 3000); });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (timer) { window.clearTimeout(timer); }
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          show(state);
          if (state.status !== "done") { poll(); }
        })
        .catch(function () { form.submit(); });
    });
  }
  if (panel.dataset.status === "running") { poll(); }
})();
