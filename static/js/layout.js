// Positions and widths computed on the server (progress bars, the timeline) arrive as
// data-left / data-width percentages and are applied here: the Content-Security-Policy
// allows no inline style attribute, while styles set from a script file are allowed.
(function () {
  "use strict";
  function apply(root) {
    root.querySelectorAll("[data-left], [data-width]").forEach(function (el) {
      if (el.dataset.left !== undefined) { el.style.left = el.dataset.left + "%"; }
      if (el.dataset.width !== undefined) { el.style.width = el.dataset.width + "%"; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { apply(document); });
  } else {
    apply(document);
  }
})();
