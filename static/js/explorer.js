/* The mobility explorer's chart: one bar series per pivot column (#explorer-data). */
(function () {
  "use strict";
  var source = document.getElementById("explorer-data");
  var canvas = document.getElementById("mobility-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // Numbers on the axes in the reader's format ("1 000" in Russian; static/js/numbers.js).
  var number = window.UniBridgeNumber || function (value) { return value; };
  var colours = ["#0b5cad", "#d9822b", "#1e7a46", "#8e44ad", "#b3261e", "#2c8c99"];
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: data.datasets.map(function (set, i) {
      return { label: set.label, data: set.data, backgroundColor: colours[i % colours.length] };
    }) },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom" }, tooltip: { callbacks: {
        // The total as stated ("at least 1005"), not the bare number.
        label: function (item) {
          var set = data.datasets[item.datasetIndex];
          return set.label + ": " + ((set.text && set.text[item.dataIndex]) || number(item.parsed.y));
        } } } },
      scales: { y: { beginAtZero: true, ticks: { callback: function (value) { return number(value); } },
        title: { display: true, text: data.yLabel } } } }
  });
})();
