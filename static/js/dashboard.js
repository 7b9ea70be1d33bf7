/* Draws the dashboard's charts from the JSON the server embeds (#chart-data). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#0b5cad", "#d9822b", "#1e7a46", "#8e44ad"];
  var common = { responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { legend: { position: "bottom" } } };

  var mobility = document.getElementById("mobility-chart");
  if (mobility) {
    new Chart(mobility, {
      type: "line",
      data: {
        labels: data.mobility.labels,
        datasets: data.mobility.datasets.map(function (set, i) {
          return { label: set.label, data: set.data, spanGaps: true, borderColor: colours[i],
            backgroundColor: colours[i], pointRadius: 5, tension: 0 };
        })
      },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true,
        title: { display: true, text: data.labels.people } } } })
    });
  }
  var perYear = document.getElementById("agreements-chart");
  if (perYear) {
    new Chart(perYear, {
      type: "bar",
      data: { labels: data.perYear.labels, datasets: [{ label: data.labels.agreements,
        data: data.perYear.values, backgroundColor: colours[0] }] },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } })
    });
  }
})();
