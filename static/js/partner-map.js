/* Partner maps: institutions as points, partnerships as lines (universities/maps.py).
   Leaflet draws the Natural Earth country shapes the app serves: no tiles, nothing fetched
   from outside. Each .partner-map names the JSON it draws in data-source. */
(function () {
  "use strict";
  if (typeof L === "undefined" || typeof topojson === "undefined") { return; }
  var shapes = {};  // one download of the country shapes per page

  // A country across the 180th meridian (Russia, Fiji) has rings from +180 to -180, which
  // a flat map would draw as a line across the world: its western longitudes move east.
  function unwrapAntimeridian(feature) {
    var geometry = feature.geometry;
    if (!geometry) { return; }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var west = false, east = false;
    polygons.forEach(function (polygon) { polygon.forEach(function (ring) {
      ring.forEach(function (point) { west = west || point[0] < -170; east = east || point[0] > 170; });
    }); });
    if (!(west && east)) { return; }
    polygons.forEach(function (polygon) { polygon.forEach(function (ring) {
      ring.forEach(function (point) { if (point[0] < 0) { point[0] += 360; } });
    }); });
  }

  function countryShapes(url) {
    if (!shapes[url]) {
      shapes[url] = fetch(url).then(function (response) { return response.json(); })
        .then(function (topology) {
          var countries = topojson.feature(topology, topology.objects.countries);
          countries.features.forEach(unwrapAntimeridian);
          return countries;
        });
    }
    return shapes[url];
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.points.length) { return; }
    var map = L.map(element, { zoomSnap: 0.25, preferCanvas: true, worldCopyJump: false,
      minZoom: 1, maxZoom: 12 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · Leaflet");
    // The server names the coloured countries and their colours (universities.maps.legend).
    var colours = {}, other = "#6b6b6b";
    (data.legend || []).forEach(function (entry) {
      if (entry.code) { colours[entry.code] = entry.colour; } else { other = entry.colour; }
    });
    function colour(code) { return colours[code] || other; }
    var byId = {};
    data.points.forEach(function (point) { byId[point.id] = point; });
    var lines = L.layerGroup().addTo(map);
    var points = L.layerGroup().addTo(map);
    data.links.forEach(function (link) {
      var a = byId[link.a], b = byId[link.b];
      L.polyline([[a.lat, a.lon], [b.lat, b.lon]], {
        color: "#5b6b7c", opacity: 0.55, weight: Math.min(1 + Math.log2(link.n), 6)
      }).bindTooltip(link.title, { sticky: true }).addTo(lines);
    });
    var bounds = [];
    data.points.forEach(function (point) {
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      popup.appendChild(link);
      if (point.approximate) {
        var note = document.createElement("div");
        note.className = "small muted";
        note.textContent = data.approximate_label;
        popup.appendChild(note);
      }
      // Placed at its city (no coordinates of its own): a ring, not a dot.
      L.circleMarker([point.lat, point.lon], {
        radius: point.focus ? 9 : 6, color: point.approximate ? colour(point.country) : "#ffffff",
        weight: point.approximate ? 2.5 : 1.5, fillColor: colour(point.country),
        fillOpacity: point.approximate ? 0.25 : 0.9
      }).bindTooltip(point.name).bindPopup(popup).addTo(points);
      bounds.push([point.lat, point.lon]);
    });
    if (data.legend && data.legend.length) {
      var legend = L.control({ position: "bottomleft" });
      legend.onAdd = function () {
        var box = L.DomUtil.create("div", "map-legend");
        data.legend.forEach(function (entry) {
          var row = L.DomUtil.create("div", "", box);
          var swatch = L.DomUtil.create("span", "swatch", row);
          swatch.style.background = entry.colour;
          row.appendChild(document.createTextNode(entry.name));
        });
        return box;
      };
      legend.addTo(map);
    }
    if (bounds.length === 1) {
      map.setView(bounds[0], 6);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 8 });
    }
    countryShapes(data.basemap).then(function (countries) {
      L.geoJSON(countries, { interactive: false,
        style: { color: "#a9a294", weight: 0.6, fillColor: "#f6f3ec", fillOpacity: 1 } })
        .addTo(map).bringToBack();
    }).catch(function () { element.classList.add("no-basemap"); });
  }

  document.querySelectorAll(".partner-map[data-source]").forEach(draw);
})();
