/* Report dashboard: draws the charts from the figures the page embeds (no network). */
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var palette = ["#a4161a", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"];

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  function bar(id, series, horizontal) {
    draw(id, {
      type: "bar",
      data: { labels: series.labels, datasets: [{ data: series.values, backgroundColor: palette[0], maxBarThickness: 32 }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function doughnut(id, series) {
    draw(id, {
      type: "doughnut",
      data: { labels: series.labels, datasets: [{ data: series.values, backgroundColor: palette }] },
      options: { plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } },
    });
  }

  bar("chart-stages", data.stages, false);
  doughnut("chart-categories", data.categories);
  doughnut("chart-states", data.states);
  bar("chart-units", data.units, true);
  var auditorsCanvas = document.getElementById("chart-auditors");
  var seriesLabels = auditorsCanvas ? auditorsCanvas.dataset : {};
  draw("chart-auditors", {
    type: "bar",
    data: {
      labels: data.auditors.labels,
      datasets: [
        { label: seriesLabels.labelInitial || "初审完成", data: data.auditors.initial, backgroundColor: palette[1], maxBarThickness: 32 },
        { label: seriesLabels.labelReReview || "复审完成", data: data.auditors.re_review, backgroundColor: palette[2], maxBarThickness: 32 },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
