// Draws the scoreboard charts from the JSON embedded in the page; the tables carry the same data.
(function () {
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var pct = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
  var kpi = echarts.init(document.getElementById("kpi-chart"));
  kpi.setOption({
    color: ["#0b4f9c"],
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    grid: { left: 8, right: 16, bottom: 8, top: 24, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: pct,
    series: [{ type: "bar", data: data.values, label: { show: true, position: "top", formatter: "{c}%" } }]
  });
  var dept = echarts.init(document.getElementById("dept-chart"));
  dept.setOption({
    color: ["#0b4f9c", "#0a6b3d"],
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: "category", data: data.departments, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: pct,
    series: [
      { name: data.series[0], type: "bar", data: data.dept_at_most_once },
      { name: data.series[1], type: "bar", data: data.dept_zero }
    ]
  });
  window.addEventListener("resize", function () { kpi.resize(); dept.resize(); });
})();
