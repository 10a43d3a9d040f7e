/* The cockpit's charts (ECharts, served by the platform): data from the page's JSON, no inline code. */
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    if (option.onClick) c.on("click", option.onClick);
  }
  function yi(v) { return v == null ? null : +(v / 1e8).toFixed(2); }
  function pct(v) { return v == null ? null : +(v * 100).toFixed(1); }
  document.addEventListener("DOMContentLoaded", function () {
    var d = data("cockpit-data");
    if (!d) return;
    var w = d.words;
    if (d.chart) {
      chart("chart-target", {
        tooltip: {trigger: "axis"}, legend: {}, grid: {left: 50, right: 10, bottom: 30},
        xAxis: {type: "category", data: d.chart.months},
        yAxis: {type: "value", name: w.yi},
        series: [
          {name: w.target, type: "line", data: d.chart.target.map(yi)},
          {name: w.actual, type: "bar", data: d.chart.actual.map(yi)}
        ]
      });
    }
    if (d.kpi_trend && d.kpi_trend.length) {
      chart("chart-kpi-trend", {
        tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 10, bottom: 30},
        xAxis: {type: "category", data: d.kpi_trend.map(function (r) { return r.month; })},
        yAxis: {type: "value", max: 100},
        series: [
          {name: w.resolution, type: "line", data: d.kpi_trend.map(function (r) { return pct(r.resolution); })},
          {name: w.on_time, type: "line", data: d.kpi_trend.map(function (r) { return pct(r.on_time); })},
          {name: w.satisfaction, type: "line", data: d.kpi_trend.map(function (r) { return pct(r.satisfaction); })}
        ]
      });
    }
    if (d.by_town && d.by_town.length) {
      chart("chart-warnings-town", {
        tooltip: {trigger: "axis"}, legend: {}, grid: {left: 40, right: 10, bottom: 50},
        xAxis: {type: "category", data: d.by_town.map(function (r) { return r.town || w.no_town; }), axisLabel: {rotate: 30}},
        yAxis: {type: "value"},
        series: ["red", "yellow", "blue"].map(function (level) {
          return {name: w[level], type: "bar", stack: "all", data: d.by_town.map(function (r) { return r[level]; }),
                  itemStyle: {color: {red: "#d32f2f", yellow: "#f9a825", blue: "#1e88e5"}[level]}};
        }),
        onClick: function (p) {
          var row = d.by_town[p.dataIndex];
          window.location.href = d.warnings_url + "?town=" + encodeURIComponent(row.code);
        }
      });
    }
  });
})();
