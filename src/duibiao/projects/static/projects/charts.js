// Charts of the key projects (四率): ECharts over data the server put in a json_script element,
// named by the chart element's data-projects-chart attribute (no inline script: CSP).
(function () {
  "use strict";
  const colours = { red: "#b7191d", yellow: "#e0a100", green: "#198754", line: "#3d6fb6", schedule: "#999999" };
  const rateColours = ["#3d6fb6", "#6f42c1", "#20c997", "#fd7e14"];

  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const percent = (v) => (v === null || v === undefined ? "—" : v.toFixed(2) + "%");

  // 投资完成率 against 序时进度 through the year: one line per series, the schedule dashed.
  function progressChart(el, data) {
    const chart = echarts.init(el, null, { renderer: "svg" });
    const series = data.series.map((s, i) => ({
      name: s.name, type: "line", data: s.values, connectNulls: false,
      itemStyle: { color: i === 0 ? colours.line : rateColours[(i % 3) + 1] },
    }));
    series.push({
      name: data.labels.schedule, type: "line", data: data.schedule,
      lineStyle: { type: "dashed", color: colours.schedule }, itemStyle: { color: colours.schedule },
    });
    chart.setOption({
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { top: 0 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: series,
    });
    return chart;
  }

  // The four rates of each group, side by side; a blank rate (no denominator) draws no bar.
  function ratesChart(el, data) {
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { top: 0 },
      xAxis: { type: "category", data: data.groups, axisLabel: { interval: 0, rotate: data.groups.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: data.rates.map((r, i) => ({ name: r.name, type: "bar", data: r.values, itemStyle: { color: rateColours[i % 4] } })),
    });
    return chart;
  }

  // Red / yellow / green projects per type or stage, stacked.
  function flagsChart(el, data) {
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.groups },
      series: ["red", "yellow", "green"].map((key) => ({
        name: data.labels[key], type: "bar", stack: "flags", data: data[key],
        itemStyle: { color: colours[key] }, label: { show: true, formatter: (p) => (p.value ? p.value : "") },
      })),
    });
    return chart;
  }

  const kinds = { progress: progressChart, rates: ratesChart, flags: flagsChart };

  function draw() {
    const charts = [];
    document.querySelectorAll("[data-projects-chart]").forEach((el) => {
      const data = read(el.dataset.projectsChart);
      const kind = kinds[el.dataset.kind];
      if (kind) charts.push(kind(el, data));
      el.dataset.drawn = "1";
    });
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
