// Case list: the header checkbox selects every case on the page for the batch action.
(function () {
  "use strict";
  var all = document.querySelector(".batch-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=case][form=batch-form]").forEach(function (box) { box.checked = all.checked; });
  });
})();
