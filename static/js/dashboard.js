/* Draws the dashboard's charts from the JSON the server embeds (#chart-data). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#0b5cad", "#d9822b", "#1e7a46", "#8e44ad"];
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
        datasets: data.mobility.datasets.map(function (set, i) {
          var colour = colours[i % colours.length];
          return { label: set.label, data: set.data, spanGaps: true, borderColor: colour,
            backgroundColor: colour, pointRadius: 5, tension: 0,
            borderDash: set.measure === "flow" ? [6, 4] : [] };
        })
      },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true, ticks: ticks,
        title: { display: true, text: data.labels.people } } },
        plugins: Object.assign({}, common.plugins, { tooltip: { callbacks: {
          // The number as stated ("more than 1000") and, for a stock, its date.
          label: function (item) {
            var set = data.mobility.datasets[item.datasetIndex];
            var text = (set.text && set.text[item.dataIndex]) || number(item.parsed.y);
            var asOf = set.as_of && set.as_of[item.dataIndex];
            return set.label + ": " + text + (asOf ? " (" + asOf + ")" : "");
          } } } }) })
    });
  }
  var perYear = document.getElementById("agreements-chart");
  if (perYear) {
    new Chart(perYear, {
      type: "bar",
      data: { labels: data.perYear.labels, datasets: [{ label: data.labels.agreements,
        data: data.perYear.values, backgroundColor: colours[0] }] },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true,
        ticks: Object.assign({ precision: 0 }, ticks) } } })
    });
  }
})();
