// Charts of duibiao pages, drawn with ECharts from data the server put in data-* attributes.
(function () {
  "use strict";
  const palette = { up: "#198754", down: "#b7191d", bar: "#3d6fb6", best: "#b7191d", median: "#999999" };

  // Data comes from Django's json_script elements, named by the chart's data-* attribute.
  const read = (id) => JSON.parse(document.getElementById(id).textContent);

  function rankingChart(el) {
    const rows = read(el.dataset.source)[el.dataset.chart];
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name) },
      tooltip: { trigger: "axis" },
      series: [{
        type: "bar", data: rows.map((r) => r.score), itemStyle: { color: palette.bar },
        label: {
          show: true, position: "right",
          formatter: (p) => {
            const change = rows[p.dataIndex].change;
            const arrow = change > 0 ? " ↑" + change : change < 0 ? " ↓" + (-change) : "";
            return p.value.toFixed(2) + arrow;
          },
        },
      }],
    });
    return chart;
  }

  function radarChart(el) {
    const data = read(el.dataset.radar);
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      legend: { bottom: 0 },
      tooltip: {},
      // Dimension names are long Chinese phrases: a smaller radius and names broken onto
      // lines keep them inside the chart instead of cut off at its edge.
      radar: {
        indicator: data.dimensions.map((d) => ({ name: d, max: 100 })), radius: "52%", center: ["50%", "48%"],
        // ECharts does not wrap Chinese without spaces: a line break every 7 characters.
        axisName: { formatter: (name) => name.replace(/(.{7})(?=.)/gu, "$1\n"), lineHeight: 14, color: "#495057" },
      },
      series: [{
        type: "radar",
        data: [
          { name: data.labels[0], value: data.unit, areaStyle: { opacity: 0.15 } },
          { name: data.labels[1], value: data.best, lineStyle: { color: palette.best, type: "dashed" } },
          { name: data.labels[2], value: data.median, lineStyle: { color: palette.median, type: "dotted" } },
        ],
      }],
    });
    return chart;
  }

  function trendChart(el) {
    const data = read(el.dataset.trend);
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: data.periods },
      // Rank axis: 1 is the best, so it starts at 1 and 1 is on top (there is no rank 0).
      yAxis: [{ type: "value", name: data.labels[0], max: 100 }, { type: "value", name: data.labels[1], inverse: true, min: 1, minInterval: 1 }],
      series: [
        { name: data.labels[0], type: "line", data: data.scores },
        { name: data.labels[1], type: "line", yAxisIndex: 1, data: data.ranks },
      ],
    });
    return chart;
  }

  function draw() {
    const charts = [];
    document.querySelectorAll("[data-chart]").forEach((el) => charts.push(rankingChart(el)));
    document.querySelectorAll("[data-radar]").forEach((el) => charts.push(radarChart(el)));
    document.querySelectorAll("[data-trend]").forEach((el) => charts.push(trendChart(el)));
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
