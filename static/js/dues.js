// 党费. The month's sheet (dues/branch.html): typing an amount ticks the member's row, one button
// ticks every row, and the line by the button says how many are ticked and their sum. The basis
// form (dues/basis.html) shows the base only for the categories paid by rate and the hardship
// fields only when 困难减免 is ticked (the reduced amount only for 少交); a hidden field's inputs
// are disabled, so they are not sent. The collection page (dues/collection.html) draws its chart
// from the figures in its json_script tag.
(() => {
  const sheet = document.querySelector("[data-dues-sheet]");
  if (sheet) {
    const boxes = [...sheet.querySelectorAll(".dues-check")];
    const summary = sheet.querySelector("[data-ticked-summary]");
    const amountOf = (box) => sheet.querySelector(`[name="amount_${box.name.slice(5)}"]`);
    const update = () => {
      const ticked = boxes.filter((box) => box.checked);
      const fen = ticked.reduce((sum, box) => {
        const value = Number.parseFloat((amountOf(box).value || "0").replace(/[,，元\s]/g, ""));
        return sum + (Number.isFinite(value) ? Math.round(value * 100) : 0);
      }, 0);
      if (summary) {
        summary.textContent = ticked.length
          ? `已勾选${ticked.length}人，合计${(fen / 100).toFixed(2)}元`
          : "尚未勾选";
      }
    };
    boxes.forEach((box) => {
      box.addEventListener("change", update);
      amountOf(box).addEventListener("input", () => {
        box.checked = true;
        update();
      });
    });
    const all = sheet.querySelector("[data-tick-all]");
    if (all) {
      all.addEventListener("click", () => {
        boxes.forEach((box) => {
          box.checked = true;
        });
        update();
      });
    }
    update();
  }

  const basis = document.querySelector("[data-basis-form]");
  if (basis) {
    const based = new Set(basis.dataset.based.split(","));
    const block = (name) => basis.querySelector(`[data-field-name="${name}"]`);
    const toggle = (name, shown) => {
      const found = block(name);
      if (!found) return;
      found.hidden = !shown;
      found.querySelectorAll("input, select, textarea").forEach((input) => {
        input.disabled = !shown;
      });
    };
    const category = basis.querySelector("[name=category]");
    const hardship = basis.querySelector("[name=hardship]");
    const show = () => {
      toggle("base", based.has(category.value));
      const relief = hardship.checked;
      toggle("relief", relief);
      toggle("relief_by", relief);
      toggle("relief_on", relief);
      const reduced = basis.querySelector("[name=relief][value=reduced]");
      toggle("relief_amount", relief && reduced && reduced.checked);
    };
    basis.addEventListener("change", show);
    show();
  }

  const figures = document.getElementById("dues-collection-data");
  const chartBox = document.getElementById("dues-collection-chart");
  if (figures && chartBox && window.echarts) {
    const data = JSON.parse(figures.textContent);
    const chart = window.echarts.init(chartBox);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["应交（元）", "已交（元）", "收缴率（%）"], bottom: 0 },
      grid: { left: 56, right: 40, top: 28, bottom: 56 },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: "元" },
        { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } },
      ],
      series: [
        { name: "应交（元）", type: "bar", data: data.owed, itemStyle: { color: "#adb5bd" } },
        { name: "已交（元）", type: "bar", data: data.paid, itemStyle: { color: "#b8171f" } },
        { name: "收缴率（%）", type: "line", yAxisIndex: 1, data: data.rate, itemStyle: { color: "#d97706" } },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
})();
