/*
 * stadtregion reachability page: keeps the origin fields and the rail options in step.
 * The form works without this script; with it, a point picked on the map (map.js fills
 * lat/lon) replaces a typed municipality and chooses the car (a point is a car origin
 * only), typing a municipality clears the point, and the rail options are switched off
 * (not sent) while the car is chosen.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sr-reach-form");
    if (!form) { return; }
    var from = form.elements.namedItem("from");
    var lat = form.elements.namedItem("lat");
    var lon = form.elements.namedItem("lon");
    var car = form.querySelector('input[name="mode"][value="car"]');
    var rail = document.getElementById("sr-rail-options");
    function sync() { if (rail && car) { rail.disabled = car.checked; } }
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "mode") { sync(); }
    });
    if (lat) {
      lat.addEventListener("change", function () {
        if (lat.value) {
          if (from) { from.value = ""; }
          if (car) { car.checked = true; sync(); }
        }
      });
    }
    if (from) {
      from.addEventListener("input", function () {
        if (from.value) { if (lat) { lat.value = ""; } if (lon) { lon.value = ""; } }
      });
    }
    sync();
  });
})();
