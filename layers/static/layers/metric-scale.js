/* Every Leaflet map our pages draw shows a metric scale only (米 / 千米): distances in this
   project are metres, and Leaflet's scale adds miles and feet unless told not to. Loaded right
   after leaflet.js on every page with a map (templates and folium's map pages), so each map
   gets its scale where it is created and no page has to remember it; a map that wants none
   says `L.map(id, {metricScale: false})`, one whose corner is taken `{scalePosition: ...}`. */
(function () {
  "use strict";
  L.Control.Scale.mergeOptions({metric: true, imperial: false});
  L.Map.mergeOptions({metricScale: true, scalePosition: "bottomleft"});
  L.Map.addInitHook(function () {
    if (this.options.metricScale) L.control.scale({position: this.options.scalePosition}).addTo(this);
  });
})();
