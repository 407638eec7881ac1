/* The dashboards' charts: ECharts with the SVG renderer (every bar and point is a DOM element), drawn from the data
 * the page carries in <script type="application/json"> (Django's json_script). A bar opens the dashboard of its unit,
 * a point the dashboard of its month. No HTML is built from the data: tooltips escape every name. */
(function () {
  "use strict";

  var charts = [];

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function escape(text) {
    return echarts.format.encodeHTML(String(text));
  }

  function withParam(url, name, value) {
    var target = new URL(url, window.location.href);
    target.searchParams.set(name, value);
    return target.pathname + target.search;
  }

  function makeChart(element) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }

  function byOrder(code, order) {
    return function (a, b) {
      var x = a.values[code];
      var y = b.values[code];
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return order === "asc" ? x - y : y - x;
    };
  }

  function drawComparison(element) {
    var data = readData(element.dataset.source);
    if (!data || !data.units.length) {
      element.hidden = true;
      return;
    }
    var chart = makeChart(element);
    var indicatorPick = document.getElementById("comparison-indicator");
    var orderPick = document.getElementById("comparison-sort");
    var table = document.querySelector('[data-testid="comparison-table"] tbody');

    function draw() {
      var code = indicatorPick.value;
      var order = orderPick.value;
      var indicator = data.indicators.filter(function (item) { return item.code === code; })[0];
      var units = data.units.slice();
      if (order !== "name") units.sort(byOrder(code, order));
      element.style.height = Math.max(240, units.length * 30 + 70) + "px";
      chart.resize();
      chart.setOption({
        aria: { enabled: true },
        animation: false,
        grid: { left: 8, right: 120, top: 30, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            return escape(params.name) + "<br>" + escape(indicator.name) + ": " + escape(params.data.text);
          },
        },
        xAxis: { type: "value", name: indicator.axis },
        yAxis: { type: "category", inverse: true, data: units.map(function (unit) { return unit.name; }) },
        series: [{
          type: "bar",
          name: indicator.name,
          cursor: "pointer",
          label: { show: true, position: "right", formatter: function (params) { return params.data.text; } },
          data: units.map(function (unit) {
            return { value: unit.values[code], text: unit.texts[code], url: withParam(unit.url, "indicator", code) };
          }),
        }],
      }, true);
      if (table) {
        units.forEach(function (unit) {
          var row = table.querySelector('tr[data-unit-id="' + unit.id + '"]');
          if (row) table.appendChild(row);
        });
      }
    }

    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    indicatorPick.addEventListener("change", draw);
    orderPick.addEventListener("change", draw);
    draw();
  }

  function drawTrend(element) {
    var data = readData(element.dataset.source);
    if (!data) return;
    var chart = makeChart(element);
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [escape(items[0].axisValue)];
          items.forEach(function (item) {
            lines.push(item.marker + escape(item.seriesName) + ": " + escape(data.series[item.seriesIndex].texts[item.dataIndex]));
          });
          return lines.join("<br>");
        },
      },
      xAxis: { type: "category", data: data.months, boundaryGap: false },
      yAxis: { type: "value", name: data.axis, nameTextStyle: { align: "left" } },
      series: data.series.map(function (series) {
        return { type: "line", name: series.name, data: series.values, symbolSize: 8, cursor: "pointer" };
      }),
    });
    chart.on("click", function (params) {
      var url = data.urls[params.dataIndex];
      if (url) window.location.href = url;
    });
  }

  function start() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll('[data-chart="comparison"]').forEach(drawComparison);
    document.querySelectorAll('[data-chart="trend"]').forEach(drawTrend);
    window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
    // A printout shows every chart's table.
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details.chart-table").forEach(function (details) { details.open = true; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
