/* The mobility explorer's chart: one bar series per pivot column (#explorer-data). */
(function () {
  "use strict";
  var source = document.getElementById("explorer-data");
  var canvas = document.getElementById("mobility-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // Numbers on the axes in the reader's format ("1 000" in Russian; static/js/numbers.js).
  var number = window.UniBridgeNumber || function (value) { return value; };
  // The colours are the server's (cooperation/charts.py): a direction has the colour it has
  // on the dashboard; a flow is a lighter bar with the direction's border.
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: data.datasets.map(function (set) {
      var flow = set.measure === "flow" && set.direction;
      return { label: set.label, data: set.data, borderColor: set.colour, borderWidth: flow ? 2 : 0,
        backgroundColor: flow ? set.colour + "55" : set.colour };
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
