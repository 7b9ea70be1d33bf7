/* Draws the dashboard's charts from the JSON the server embeds (#chart-data). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // The colours are the server's (cooperation/charts.py): a direction has one colour on
  // every chart; a flow is drawn dashed beside the stock of the same direction.
  // Numbers on the axes in the reader's format ("1 000" in Russian; static/js/numbers.js).
  var number = window.UniBridgeNumber || function (value) { return value; };
  var ticks = { callback: function (value) { return number(value); } };
  var common = { responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { legend: { position: "bottom" } } };

  var mobility = document.getElementById("mobility-chart");
  if (mobility) {
    new Chart(mobility, {
      type: "line",
      data: {
        labels: data.mobility.labels,
        datasets: data.mobility.datasets.map(function (set) {
          return { label: set.label, data: set.data, spanGaps: true, borderColor: set.colour,
            backgroundColor: set.colour, pointRadius: 5, tension: 0,
            borderDash: set.measure === "flow" ? [6, 4] : [] };
        })
      },
      // The years in the middle of their slots: a single year's points are not drawn on the
      // chart's left edge.
      options: Object.assign({}, common, { scales: { x: { offset: true },
        y: { beginAtZero: true, ticks: ticks, title: { display: true, text: data.labels.people } } },
        plugins: Object.assign({}, common.plugins, { tooltip: { callbacks: {
          // The number as stated ("more than 1000") and, for a stock, its date.
          label: function (item) {
            var set = data.mobility.datasets[item.datasetIndex];
            var text = (set.text && set.text[item.dataIndex]) || number(item.parsed.y);
            var asOf = set.as_of_shown && set.as_of_shown[item.dataIndex];
            return set.label + ": " + text + (asOf ? " (" + asOf + ")" : "");
          } } } }) })
    });
  }
  var perYear = document.getElementById("agreements-chart");
  if (perYear) {
    new Chart(perYear, {
      type: "bar",
      data: { labels: data.perYear.labels, datasets: [{ label: data.labels.agreements,
        data: data.perYear.values, backgroundColor: data.colour, maxBarThickness: 56 }] },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true,
        ticks: Object.assign({ precision: 0 }, ticks) } } })
    });
  }
})();
