/* Near-border candidates on a Leaflet map (一口受理 preview and the case page's to-confirm card):
   each candidate township (or the sea) as a point with its name, team and distance, the acting
   one in the routed colour; township outlines already on the map are highlighted by code.
   window.BorderCandidates.draw(map, candidates, {outlines, onChoose}) returns the layer. */
(function () {
  "use strict";
  var ACTING = "#c0392b", OTHER = "#1f6fb2";

  function label(c) {
    var team = c.team ? c.team.name : "无队伍";
    return c.name + " · " + team + " · " + Number(c.distance_m).toFixed(1) + " 米";
  }

  function draw(map, candidates, options) {
    options = options || {};
    var layer = L.featureGroup().addTo(map);
    var narrow = map.getSize().x < 500;
    var codes = {};
    candidates.forEach(function (c) {
      codes[c.code || "sea"] = c;
      var marker = L.circleMarker([c.lat, c.lon], {
        radius: c.acting ? 8 : 7, color: c.acting ? ACTING : OTHER, weight: 2,
        fillColor: c.acting ? ACTING : OTHER, fillOpacity: 0.5,
      }).addTo(layer);
      // The acting one labelled to the left, the others to the right: a few metres apart,
      // their labels would cover each other.
      // On a phone's narrow map the name and distance only (the list below has the team).
      var text = narrow ? c.name + " · " + Number(c.distance_m).toFixed(1) + " 米" : label(c);
      marker.bindTooltip(text + (c.acting && !narrow ? "（当前派往）" : ""),
                         {permanent: true, direction: c.acting ? "left" : "right",
                          offset: c.acting ? [-8, 0] : [8, 0], className: "candidate-label"});
      if (options.onChoose) marker.on("click", function () { options.onChoose(c); });
    });
    if (options.outlines) {
      options.outlines.eachLayer(function (l) {
        var p = l.feature && l.feature.properties, c = p && codes[p.code];
        if (c) l.setStyle({color: c.acting ? ACTING : OTHER, weight: 3, fill: true, fillOpacity: 0.08});
      });
    }
    return layer;
  }

  function reset(outlines, style) {
    if (outlines) outlines.eachLayer(function (l) { l.setStyle(style); });
  }

  window.BorderCandidates = {draw: draw, label: label, reset: reset};
})();

/* The case page's to-confirm card: the candidates and the reported point on a map; a candidate's
   button (or its point) confirms the acting one or fills and submits the pick_candidate step. */
(function () {
  "use strict";
  var data = document.getElementById("border-candidates");
  if (!data || !window.L) return;
  var candidates = JSON.parse(data.textContent), point = JSON.parse(document.getElementById("case-point").textContent);
  var map = L.map("candidates-map", {attributionControl: false, maxZoom: 20});
  var outlines = L.geoJSON(null, {style: {color: "#5d6d7e", weight: 1, fill: false}, interactive: false}).addTo(map);
  var layer = window.BorderCandidates.draw(map, candidates, {onChoose: choose});
  if (point) L.marker([point.lat, point.lon], {title: "上报位置"}).addTo(map);
  map.fitBounds(layer.getBounds().pad(0.6), {maxZoom: 19});
  // The candidate townships' outlines (the shared border between the points).
  fetch("/ogc/collections/townships/items?f=json&limit=1000", {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.features) return;
      var codes = candidates.map(function (c) { return c.code; });
      outlines.addData({type: "FeatureCollection", features: data.features.filter(function (f) {
        return codes.indexOf(f.properties && f.properties.code) >= 0; })});
      outlines.eachLayer(function (l) {
        var c = candidates.filter(function (x) { return x.code === l.feature.properties.code; })[0];
        if (c) l.setStyle({color: c.acting ? "#c0392b" : "#1f6fb2", weight: 3, fill: true, fillOpacity: 0.08});
      });
      layer.bringToFront();
    }).catch(function () { /* the points and the list suffice */ });

  function choose(c) {
    var code = c.code || "sea";
    if (c.acting) {
      var confirm = document.querySelector("form.step-confirm_place");
      if (confirm) confirm.requestSubmit();
      return;
    }
    var form = document.querySelector("form.step-pick_candidate");
    if (!form) return;
    form.querySelector("select[name=candidate]").value = code;
    var note = form.querySelector("textarea[name=note]");
    if (note && !note.value.trim()) {
      note.value = "边界附近，改由" + c.name + "办理";
      note.focus();
    }
    form.requestSubmit();
  }

  document.querySelectorAll("#candidate-list button.choose").forEach(function (b) {
    var c = candidates.filter(function (x) { return (x.code || "sea") === b.dataset.code; })[0];
    var allowed = document.querySelector(c && c.acting ? "form.step-confirm_place" : "form.step-pick_candidate");
    if (!allowed) { b.hidden = true; return; }
    b.addEventListener("click", function () { choose(c); });
  });
})();
