/*
 * stadtregion page maps: small Leaflet maps on the web pages, drawn without inline code.
 *
 * Markup:  <div class="sr-map" data-map-id="ID" [data-pick="LAT_INPUT_ID,LON_INPUT_ID"]></div>
 *          <script type="application/json" id="ID">{...}</script>   (a data block, never run)
 * Data:    {"tiles": url|null, "attribution": "text",
 *           "layers": [{"name": "...", "geojson": FeatureCollection (EPSG:4326),
 *                       "color": "#hex", "color_property": "prop", "colors": {"value": "#hex"},
 *                       "popup": ["prop", ...] | null, "labels": {"prop": "Label"},
 *                       "link_property": "prop" | null,
 *                       "weight": px, "fill_opacity": 0..1, "dash": "4 3"}]}   (optional style)
 * Popups are built with textContent only: no property value is ever parsed as HTML.
 * With data-pick a click on the map (or on a drawn area) writes the clicked point into the
 * two inputs and fires "change" on the first.
 */
(function () {
  "use strict";
  function popupFor(layer, feature) {
    var props = feature.properties || {};
    var keys = layer.popup || [];
    if (!keys.length) { return null; }
    var box = document.createElement("div");
    keys.forEach(function (k) {
      if (props[k] === undefined || props[k] === null) { return; }
      var row = document.createElement("div");
      var b = document.createElement("strong");
      b.textContent = ((layer.labels || {})[k] || k) + ": ";
      row.appendChild(b);
      row.appendChild(document.createTextNode(String(props[k])));
      box.appendChild(row);
    });
    if (layer.link_property && props[layer.link_property]) {
      var a = document.createElement("a");
      a.href = String(props[layer.link_property]);
      a.textContent = "→";
      if (a.protocol === location.protocol && a.host === location.host) { box.appendChild(a); }
    }
    return box;
  }
  function colorOf(layer, feature) {
    var props = feature.properties || {};
    if (layer.color_property && layer.colors) {
      var c = layer.colors[String(props[layer.color_property])];
      if (c) { return c; }
    }
    return layer.color || "#1d5e8c";
  }
  function draw(div) {
    var block = document.getElementById(div.getAttribute("data-map-id"));
    if (!block || typeof L === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var map = L.map(div, { scrollWheelZoom: false });
    if (data.tiles) {
      L.tileLayer(data.tiles, { attribution: data.attribution || "" }).addTo(map);
    } else if (data.attribution) {
      map.attributionControl.addAttribution(data.attribution);
    }
    var bounds = null;
    var overlays = {};
    (data.layers || []).forEach(function (layer) {
      var gj = L.geoJSON(layer.geojson, {
        style: function (f) {
          var c = colorOf(layer, f);
          return {
            color: c,
            weight: layer.weight || 2,
            fillColor: c,
            fillOpacity: typeof layer.fill_opacity === "number" ? layer.fill_opacity : 0.35,
            dashArray: layer.dash || null
          };
        },
        pointToLayer: function (f, latlng) {
          var c = colorOf(layer, f);
          return L.circleMarker(latlng, { radius: 6, color: c, fillColor: c, fillOpacity: 0.8 });
        },
        onEachFeature: function (f, l) {
          var p = popupFor(layer, f);
          if (p) { l.bindPopup(p); }
        }
      }).addTo(map);
      overlays[layer.name || "layer"] = gj;
      var b = gj.getBounds();
      if (b.isValid()) { bounds = bounds ? bounds.extend(b) : b; }
    });
    if (Object.keys(overlays).length > 1) { L.control.layers(null, overlays).addTo(map); }
    if (bounds) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 15 }); }
    else { map.setView([50.93, 11.59], 10); }
    var pick = div.getAttribute("data-pick");
    if (pick) {
      var ids = pick.split(",");
      var lat = document.getElementById(ids[0]);
      var lon = document.getElementById(ids[1]);
      var marker = null;
      var onPick = function (e) {
        if (lat) { lat.value = e.latlng.lat.toFixed(5); }
        if (lon) { lon.value = e.latlng.lng.toFixed(5); }
        if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
        var ev = new Event("change");
        if (lat) { lat.dispatchEvent(ev); }
      };
      map.on("click", onPick);
      // a click on a drawn area opens its popup, which keeps the click from the map
      Object.keys(overlays).forEach(function (k) { overlays[k].on("click", onPick); });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".sr-map[data-map-id]").forEach(draw);
  });
})();
