/* Category labels of the pages' ECharts charts (大屏, 考核): one home for how names are shortened
   and laid along an axis, so that no label runs into its neighbour (tests/pages/charts.py). */
(function () {
  "use strict";
  var FONT = 12;      // ECharts' axis label size (px); a CJK character is as wide

  /* The names without their county's name (阳城县北留镇综合行政执法队 -> 北留镇综合行政执法队): a
     page of one county repeated it in every team's label. `county` (the page's county, when it
     has one) is left out of each name that begins with it, whatever the others are called
     (洋山镇综合行政执法队 beside 嵊泗县综合行政执法局菜园中队); without it, the county's name
     (up to 县, 区, 市 or 旗) that all of them begin with. */
  function shorten(names, county) {
    if (county) {
      return names.map(function (name) {
        return name.length > county.length && name.indexOf(county) === 0 ? name.slice(county.length) : name;
      });
    }
    if (names.length < 2) return names.slice();
    var common = names.reduce(function (prefix, name) {
      var i = 0;
      while (i < prefix.length && prefix[i] === name[i]) i++;
      return prefix.slice(0, i);
    });
    var cut = Math.max.apply(null, ["县", "区", "市", "旗"].map(function (c) { return common.lastIndexOf(c); })) + 1;
    return names.map(function (name) { return name.length > cut ? name.slice(cut) : name; });
  }

  /* Labels along a category x axis of `el`'s chart (`reserved` px of it taken by the value axes):
     flat when the longest fits its slot, else slanted 45 degrees (neighbours stay FONT apart
     down to slots of 1.5 FONT), else upright; at most `chars` characters, then an ellipsis. */
  function slanted(el, names, reserved, chars) {
    var slot = (el.clientWidth - reserved) / Math.max(names.length, 1);
    var longest = Math.min(chars, Math.max.apply(null, names.map(function (n) { return n.length; }).concat([1])));
    var rotate = longest * FONT + 6 <= slot ? 0 : (slot * Math.SQRT1_2 >= FONT + 4 ? 45 : 90);
    return {interval: 0, rotate: rotate, fontSize: FONT, width: chars * FONT, overflow: "truncate"};
  }

  /* How far left of the chart's plot the first of `names` reaches, laid out as `label` (slanted):
     the grid's left margin (containLabel makes room for the value axis's labels, not this). */
  function reach(label, names) {
    if (label.rotate !== 45) return 10;
    var longest = Math.min(label.width / FONT, Math.max.apply(null, names.map(function (n) { return n.length; })));
    return Math.ceil(longest * FONT * Math.SQRT1_2) + 4;
  }

  window.ChartLabels = {FONT: FONT, shorten: shorten, slanted: slanted, reach: reach};
})();
