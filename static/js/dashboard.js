// Dashboard charts: the member summary of the user's scope, from /api/v1/members/summary/.
(function () {
  const script = document.getElementById("dashboard-script");
  // rows: [{code, label, count}] in the order of the categories.
  const bar = (elementId, rows, color) => {
    const element = document.getElementById(elementId);
    if (!element) return;
    const chart = echarts.init(element);
    chart.setOption({
      tooltip: {},
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: rows.map((row) => row.label), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map((row) => row.count), itemStyle: { color } }],
    });
    window.addEventListener("resize", () => chart.resize());
  };
  fetch(script.dataset.summaryUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((summary) => {
      bar("chart-age", summary.by_age_band, "#b8171f");
      bar("chart-education", summary.by_education, "#d97706");
    });
})();
