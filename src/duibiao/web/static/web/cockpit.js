// 领导驾驶舱 and 大屏: charts drawn with ECharts from the json_script "cockpit-data"; on the
// large screen (body[data-refresh-url]) the data is fetched again every data-refresh-seconds
// and the charts and figures are redrawn in place, the page itself is not reloaded.
(function () {
  "use strict";
  const screen = document.body.classList.contains("db-screen");
  const ink = screen ? "#e9ecef" : "#495057";
  const palette = ["#3d6fb6", "#b7191d", "#198754", "#fd7e14", "#6f42c1", "#20c997"];
  const charts = {};

  // No animation: a printed page or a screen refreshed every minute shows the figures at once.
  const base = () => ({
    animation: false,
    textStyle: { color: ink, fontSize: screen ? 18 : 12 },
    color: palette,
    tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: { color: ink, fontSize: screen ? 18 : 12 } },
    grid: { left: 8, right: 16, top: screen ? 44 : 32, bottom: 8, containLabel: true },
  });

  const builders = {
    trend(data) {
      return { ...base(), xAxis: { type: "category", data: data.periods }, yAxis: { type: "value", min: "dataMin" },
        series: data.series.map((s) => ({ name: s.name, type: "line", data: s.values, connectNulls: true })) };
    },
    progress(data) {
      return { ...base(), xAxis: { type: "category", data: data.months }, yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
        series: [
          { name: data.labels.schedule, type: "line", data: data.schedule, lineStyle: { type: "dashed" }, itemStyle: { color: "#999999" } },
          ...data.series.map((s) => ({ name: s.name, type: "line", data: s.values })),
        ] };
    },
    flags(data) {
      return { ...base(), tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["40%", "70%"], data: data.labels.map((name, i) => ({ name, value: data.values[i] })),
          color: ["#b7191d", "#f0ad00", "#198754"], label: { color: ink } }] };
    },
    disposal(data) {
      return { ...base(), xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", inverse: true, data: data.units },
        series: [{ name: data.labels.rate, type: "bar", data: data.rates, label: { show: true, position: "right", color: ink } }] };
    },
  };

  function draw(data) {
    document.querySelectorAll("[data-cockpit-chart]").forEach((el) => {
      const name = el.dataset.cockpitChart;
      if (!data.charts[name] || !builders[name]) return;
      if (!charts[name]) charts[name] = echarts.init(el, null, { renderer: "svg" });
      charts[name].setOption(builders[name](data.charts[name]), true);
    });
    // The watermark says when the figures under it were read.
    document.querySelectorAll(".db-watermark span").forEach((el) => {
      el.textContent = data.watermark + (el.dataset.label ? " " + el.dataset.label : "");
    });
    document.querySelectorAll("[data-figure]").forEach((el) => {
      const value = data.figures[el.dataset.figure];
      if (value !== undefined) el.textContent = value === "" ? "—" : value;
    });
  }

  function status(text) {
    const el = document.querySelector("[data-refresh-status]");
    if (el) el.textContent = text;
  }

  function refresh(url) {
    const el = document.querySelector("[data-refresh-status]");
    // X-Duibiao-Poll: a timer is not the user at work, so it does not keep the session alive.
    fetch(url, { headers: { "X-Duibiao-Poll": "1", Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
        if (!response.ok || !json) throw new Error(response.redirected || !json ? "expired" : "failed");
        return response.json();
      })
      .then((data) => { draw(data); status(el.dataset.label + " " + data.at); })
      .catch((error) => status(error.message === "expired" ? el.dataset.expired : el.dataset.failed));
  }

  function start() {
    const source = document.getElementById("cockpit-data");
    if (!source || !window.echarts) return;
    draw(JSON.parse(source.textContent));
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    // Charts are redrawn at the printed page's width, and back afterwards.
    window.addEventListener("beforeprint", () => Object.values(charts).forEach((c) => c.resize()));
    window.addEventListener("afterprint", () => Object.values(charts).forEach((c) => c.resize()));
    document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
    const url = document.body.dataset.refreshUrl;
    if (url) {
      const seconds = Math.max(10, Number(document.body.dataset.refreshSeconds) || 60);
      window.setInterval(() => refresh(url), seconds * 1000);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
