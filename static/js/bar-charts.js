/* Bar charts drawn from the JSON a page embeds: each <canvas data-chart="ID"> draws the
   chart of the <script id="ID"> beside it ({label, labels, values, colour, horizontal}). The same
   numbers are in the table under each chart, for screen readers and print. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var number = window.UniBridgeNumber || function (value) { return value; };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var axis = { beginAtZero: true, ticks: { precision: 0, callback: function (value) {
      return number(value); } } };
    new Chart(canvas, {
      type: "bar",
      // A bar no thicker than 56 px: one year or one country is not a slab across the chart.
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values,
        backgroundColor: data.colour, maxBarThickness: 56 }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: data.horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: data.horizontal ? { x: axis } : { y: axis } }
    });
  });
})();
