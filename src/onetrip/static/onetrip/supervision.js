// Draws the 电子监察 dashboard charts from the JSON embedded in the page; tables carry the data.
(function () {
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById("supervision-chart-data").textContent);
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    c.setOption(option);
    charts.push(c);
  }
  var grid = { left: 8, right: 16, bottom: 8, top: 36, containLabel: true };
  draw("time-left-chart", {
    color: ["#0b4f9c"],
    tooltip: { trigger: "axis" },
    grid: grid,
    xAxis: { type: "category", data: data.buckets },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.bucket_values, label: { show: true, position: "top" } }]
  });
  draw("on-time-chart", {
    color: ["#0a6b3d"],
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    grid: grid,
    xAxis: { type: "category", data: data.on_time_departments, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "bar", data: data.on_time_rates, label: { show: true, position: "top", formatter: "{c}%" } }]
  });
  draw("handling-chart", {
    color: ["#0b4f9c", "#b7c2cf"],
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    grid: grid,
    xAxis: { type: "category", data: data.handling_departments, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value", name: "工作日" },
    series: [
      { name: "平均用时", type: "bar", data: data.handling_used },
      { name: "平均承诺时限", type: "bar", data: data.handling_promised }
    ]
  });
  draw("trend-chart", {
    color: ["#0b4f9c", "#0a6b3d", "#b42318", "#d49a00", "#7a0e0e"],
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    grid: grid,
    xAxis: { type: "category", data: data.periods },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
