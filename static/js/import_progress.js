// Polls an import's status and moves the progress bar; reloads the page when the import ends.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress-bar");
  var holder = box.querySelector(".progress");
  var phase = box.querySelector("[data-phase]");
  var count = box.querySelector("[data-count]");
  var delay = 1000;

  function show(data) {
    bar.style.width = data.percent + "%";
    bar.textContent = data.percent + "%";
    holder.setAttribute("aria-valuenow", String(data.percent));
    if (data.phase) { phase.textContent = data.phase; }
    count.textContent = data.done + " / " + data.total;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
