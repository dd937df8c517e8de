// 线索漏斗: an ECharts funnel of the leads that reached each stage, from the json_script
// element named by the chart's data-lead-funnel attribute (no inline script: CSP).
(function () {
  "use strict";
  function draw(el) {
    const data = JSON.parse(document.getElementById(el.dataset.leadFunnel).textContent);
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: (p) => p.name + "<br>" + data.labels.count + "：" + p.value + "<br>" + data.labels.amount + "："
          + data.amounts[p.dataIndex].toLocaleString("zh-CN"),
      },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b} {c}" },
        data: data.stages.map((name, i) => ({ name: name, value: data.reached[i] })),
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }
  document.addEventListener("DOMContentLoaded", () => {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-lead-funnel]").forEach(draw);
  });
})();
