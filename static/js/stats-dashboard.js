// 统计看板 (stats/_dashboard_charts.html): each [data-stats-board] fetches its JSON (data-url) and
// draws its charts with ECharts. A large subtree's figures come from a snapshot computed in the
// background: while it is queued or running the board polls and shows the progress, and 重新统计
// asks for a new one (POST to the same address). Every bar, point and tile carries the address of
// the members or organizations behind it (data item .url): a click goes there.
(() => {
  const RED = "#b8171f";
  const POLL_MS = 1500;
  const number = (value) => Number(value).toLocaleString("zh-CN");
  const phone = () => window.matchMedia("(max-width: 575.98px)").matches;

  const setup = (board) => {
    const charts = new Map();
    const find = (selector) => board.querySelector(selector);
    const when = find("[data-stats-when]");
    const again = find("[data-stats-again]");
    const progress = find("[data-stats-progress]");
    const bar = find("[data-stats-progress-bar]");
    const message = find("[data-stats-message]");
    const metricSelect = find("[data-stats-metric]");
    let latest = null;
    let drawnAt = null;
    let timer = null;

    const chart = (name) => {
      const element = find(`[data-chart="${name}"]`);
      if (!element) return null;
      let instance = charts.get(name);
      if (!instance) {
        instance = window.echarts.init(element, null, { renderer: "canvas" });
        instance.on("click", (params) => {
          const url = params.data && params.data.url;
          if (url) window.location.assign(url);
        });
        // Drawn and done animating: what a test (or a reader's screenshot) waits for.
        instance.on("finished", () => {
          element.dataset.drawn = "1";
        });
        charts.set(name, instance);
      }
      return instance;
    };

    const card = (name, shown) => {
      const found = find(`[data-card="${name}"]`);
      if (found) found.hidden = !shown;
    };
    const figure = (value) => (value ? number(value) : ""); // no "0" beside an empty bar

    const empty = (name, text) => {
      const instance = chart(name);
      if (!instance) return;
      instance.clear();
      instance.setOption({
        title: { text, left: "center", top: "middle", textStyle: { fontSize: 13, fontWeight: "normal", color: "#6c757d" } },
      });
    };

    // Horizontal bars, one per item (labels are long: 高中、中技, 专业技术人员…), the value at the end.
    const bars = (name, items, color) => {
      const instance = chart(name);
      if (!instance) return;
      if (!items.length || items.every((item) => !item.value)) {
        if (name === "kinds") card(name, false); // nothing below this organization
        else empty(name, "暂无数据");
        return;
      }
      const shown = [...items].reverse(); // ECharts draws a category axis from the bottom
      card(name, true);
      instance.setOption(
        {
          tooltip: { trigger: "item", formatter: (p) => `${p.data.label}<br>${number(p.value)}` },
          grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1, axisLabel: { show: !phone() } },
          yAxis: { type: "category", data: shown.map((item) => item.short || item.label), axisTick: { show: false } },
          series: [
            {
              type: "bar",
              barMaxWidth: 22,
              itemStyle: { color, borderRadius: [0, 3, 3, 0] },
              label: { show: true, position: "right", formatter: (p) => number(p.value) },
              data: shown.map((item) => ({ value: item.value, url: item.url, label: item.label, cell: item.cell })),
            },
          ],
        },
        true,
      );
    };

    // The pyramid: men to the left (negative values, shown without their sign), women to the right.
    const age = (series) => {
      const instance = chart("age");
      if (!instance) return;
      const items = series.items;
      if (items.every((item) => !item.value)) {
        empty("age", "暂无在册党员");
        return;
      }
      const point = (value, index, sign) => ({ value: sign * value, url: items[index].url, cell: items[index].cell });
      // Both sides on one scale, with room beyond the longest bar for its figure.
      const reach = Math.ceil(Math.max(...series.male, ...series.female) * 1.3) || 1;
      instance.setOption(
        {
          tooltip: {
            trigger: "axis",
            axisPointer: { type: "shadow" },
            formatter: (list) => {
              const index = list[0].dataIndex;
              return `${items[index].label}：${number(items[index].value)}人<br>男 ${number(series.male[index])}，女 ${number(series.female[index])}`;
            },
          },
          legend: { data: ["男", "女"], bottom: 0 },
          grid: { left: 8, right: 16, top: 8, bottom: 28, containLabel: true },
          xAxis: { type: "value", min: -reach, max: reach, axisLabel: { show: false } },
          yAxis: { type: "category", data: series.labels, axisTick: { show: false } },
          series: [
            {
              name: "男",
              type: "bar",
              stack: "age",
              itemStyle: { color: "#3b6fb6" },
              label: { show: true, position: "left", fontSize: phone() ? 10 : 12, formatter: (p) => figure(Math.abs(p.value)) },
              data: series.male.map((v, i) => point(v, i, -1)),
            },
            {
              name: "女",
              type: "bar",
              stack: "age",
              itemStyle: { color: RED },
              label: { show: true, position: "right", fontSize: phone() ? 10 : 12, formatter: (p) => figure(p.value) },
              data: series.female.map((v, i) => point(v, i, 1)),
            },
          ],
        },
        true,
      );
    };

    const years = (items) => {
      const instance = chart("years");
      if (!instance) return;
      instance.setOption(
        {
          tooltip: { trigger: "item", formatter: (p) => `${p.data.day}在册党员<br>${number(p.value)}人` },
          grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
          xAxis: {
            type: "category",
            data: items.map((item) => (phone() ? item.label.slice(0, 4) : item.label)),
            axisLabel: { interval: 0, fontSize: phone() ? 10 : 12 },
          },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            {
              type: "bar",
              barMaxWidth: 36,
              itemStyle: { color: RED },
              // On a phone the figures stand upright inside the bars: ten of them do not fit above.
              label: phone()
                ? { show: true, position: "insideBottom", rotate: 90, align: "left", verticalAlign: "middle", distance: 6, color: "#fff", fontSize: 10, formatter: (p) => number(p.value) }
                : { show: true, position: "top", formatter: (p) => number(p.value) },
              data: items.map((item) => ({ value: item.value, url: item.url, day: item.day, cell: item.cell })),
            },
          ],
        },
        true,
      );
    };

    // Development by stage, in the order of the procedure (the stages' sizes need not shrink: a
    // funnel's shape would mislead), each stage a deeper red.
    const STAGE_COLOURS = ["#f4a6a0", "#e97a72", "#d94c43", RED, "#7d0f15"];
    const funnel = (items) => {
      const instance = chart("funnel");
      if (!instance) return;
      const shown = [...items].reverse();
      const colours = [...STAGE_COLOURS].slice(0, items.length).reverse();
      instance.setOption(
        {
          tooltip: { trigger: "item", formatter: (p) => `${p.data.label}<br>${number(p.value)}人` },
          grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1, axisLabel: { show: !phone() } },
          yAxis: { type: "category", data: shown.map((item) => item.label), axisTick: { show: false } },
          series: [
            {
              type: "bar",
              barMaxWidth: 26,
              label: { show: true, position: "right", formatter: (p) => number(p.value) },
              data: shown.map((item, index) => ({
                value: item.value,
                url: item.url,
                label: item.label,
                cell: item.cell,
                itemStyle: { color: colours[index], borderRadius: [0, 3, 3, 0] },
              })),
            },
          ],
        },
        true,
      );
    };

    const dues = (found) => {
      const instance = chart("dues");
      if (!instance) return;
      const note = find("[data-stats-dues-note]");
      if (found.rate === null) {
        if (note) note.textContent = `${found.year}年尚无党费记录`;
        empty("dues", "暂无党费记录");
        return;
      }
      if (note) {
        note.textContent = `${found.year}年1月至${found.through}月：应交${number((found.owed / 100).toFixed(2))}元，已交${number((found.paid / 100).toFixed(2))}元`;
      }
      instance.setOption(
        {
          series: [
            {
              type: "gauge",
              min: 0,
              max: 100,
              progress: { show: true, width: 14, itemStyle: { color: RED } },
              axisLine: { lineStyle: { width: 14 } },
              axisTick: { show: false },
              splitLine: { length: 8, lineStyle: { width: 1 } },
              axisLabel: { distance: 18, fontSize: 10 },
              pointer: { show: false },
              anchor: { show: false },
              title: { offsetCenter: [0, "30%"], fontSize: 13 },
              detail: { valueAnimation: false, offsetCenter: [0, "-5%"], fontSize: 26, formatter: "{value}%", color: "#212529" },
              data: [{ value: found.rate, name: "收缴率", url: found.url }],
            },
          ],
        },
        true,
      );
    };

    const meetings = (found) => {
      const instance = chart("meetings");
      if (!instance) return;
      const items = found.items;
      if (items.every((item) => !item.value)) {
        empty("meetings", "暂无组织生活要求");
        return;
      }
      instance.setOption(
        {
          tooltip: { trigger: "item", formatter: (p) => `${p.name}<br>${number(p.value)}个党组织（${p.percent}%）` },
          legend: {
            bottom: 0,
            itemWidth: 12,
            itemHeight: 12,
            textStyle: { fontSize: 12 },
            formatter: (name) => `${name} ${number(items.find((item) => item.label === name).value)}个`,
          },
          series: [
            {
              type: "pie",
              radius: ["34%", "60%"],
              center: ["50%", "42%"],
              label: { show: false },
              data: items
                .filter((item) => item.value)
                .map((item) => ({ name: item.label, value: item.value, url: item.url, itemStyle: { color: item.color } })),
            },
          ],
        },
        true,
      );
    };

    const metricOf = (children) => {
      const key = metricSelect && metricSelect.value;
      return children.metrics.find((m) => m.key === key) || children.metrics[0];
    };
    const shown = (value, metric) =>
      metric.unit === "%" ? `${Number(value).toFixed(1)}%` : `${number(value)}${metric.unit}`;

    // Direct children: a tile each, sized by members, coloured by the chosen figure.
    const childrenMap = (children) => {
      const element = find('[data-chart="children"]');
      if (!element) return;
      if (metricSelect && !metricSelect.options.length) {
        children.metrics.forEach((metric) => metricSelect.add(new Option(metric.label, metric.key)));
      }
      const metric = metricOf(children);
      const items = children.items.filter((item) => item.values.members > 0);
      const rows = [...children.items];
      if (children.own) rows.push({ ...children.own, url: null, full_name: children.own.name });
      const legend = find("[data-stats-legend]");
      const table = find("[data-stats-children-rows]");
      const head = find("[data-stats-metric-head]");
      card("children", items.length > 0); // a branch has no organizations below it
      if (!items.length) return;
      const tiles = children.own ? [...items, children.own] : items; // the members held directly too
      const values = tiles.map((item) => item.values[metric.key]);
      const low = Math.min(...values);
      const high = Math.max(...values);
      // Dark text on the light tiles, white on the deep ones.
      const tile = (name, full, figures, url) => ({
        name,
        full,
        url,
        value: [figures.members, figures[metric.key]],
        label: { color: (figures[metric.key] - low) / (high - low || 1) > 0.45 ? "#fff" : "#3d0a0d" },
      });
      const data = items.map((item) => tile(item.name, item.full_name, item.values, item.url));
      if (children.own) data.push(tile(children.own.name, children.own.name, children.own.values, null));
      chart("children").setOption(
        {
          tooltip: {
            formatter: (p) => `${p.data.full}<br>党员 ${number(p.value[0])}名<br>${metric.label}：${shown(p.value[1], metric)}`,
          },
          series: [
            {
              type: "treemap",
              roam: false,
              nodeClick: false,
              breadcrumb: { show: false },
              left: 0,
              right: 0,
              top: 0,
              bottom: 0,
              // The root's level maps its children (the tiles) onto the colour range by value[1].
              levels: [
                {
                  visualDimension: 1,
                  visualMin: low,
                  visualMax: high === low ? low + 1 : high,
                  colorMappingBy: "value",
                  color: ["#f6d3cf", "#7d0f15"],
                  itemStyle: { borderColor: "#fff", borderWidth: 0, gapWidth: 2 },
                },
              ],
              label: {
                show: true,
                formatter: (p) => `${p.name}\n${shown(p.value[1], metric)}`,
                fontSize: 12,
                lineHeight: 16,
              },
              data,
            },
          ],
        },
        true,
      );
      if (legend) legend.textContent = `颜色：${metric.label}，最浅 ${shown(low, metric)}，最深 ${shown(high, metric)}`;
      if (head) head.textContent = metric.label;
      if (table) {
        rows.sort((a, b) => b.values[metric.key] - a.values[metric.key]);
        table.replaceChildren(
          ...rows.map((row) => {
            const tr = document.createElement("tr");
            const name = document.createElement("td");
            if (row.url) {
              const link = document.createElement("a");
              link.href = row.url;
              link.textContent = row.full_name;
              name.append(link);
            } else {
              name.textContent = row.full_name;
            }
            const members = document.createElement("td");
            members.className = "text-end";
            members.textContent = number(row.values.members);
            const value = document.createElement("td");
            value.className = "text-end";
            value.textContent = shown(row.values[metric.key], metric);
            tr.append(name, members, value);
            return tr;
          }),
        );
      }
    };

    const kpis = (items) => {
      const box = find("[data-stats-kpis]");
      if (!box) return;
      // No "基层党组织 0" on a branch's board: nothing is below it.
      const shownItems = items.filter((item) => item.value || item.name !== "organizations");
      box.replaceChildren(
        ...shownItems.map((item) => {
          const col = document.createElement("div");
          col.className = "col-6 col-md-4 col-xl";
          const link = document.createElement("a");
          link.className = "stats-kpi d-block border rounded p-2 h-100 text-decoration-none";
          link.href = item.url;
          link.dataset.cell = item.cell;
          link.dataset.kpi = item.name;
          const label = document.createElement("div");
          label.className = "small text-muted";
          label.textContent = item.label;
          const value = document.createElement("div");
          value.className = "fs-5 fw-semibold";
          value.textContent = number(item.value);
          link.append(label, value);
          col.append(link);
          return col;
        }),
      );
    };

    const draw = (series) => {
      kpis(series.kpis);
      age(series.age);
      bars("education", series.education, "#d97706");
      bars("occupation", series.occupation, "#3b6fb6");
      bars("kinds", series.kinds, "#6f42c1");
      years(series.years.items);
      funnel(series.funnel);
      dues(series.dues);
      meetings(series.meetings);
      childrenMap(series.children);
      board.dataset.rendered = series.form;
    };

    const status = (found) => {
      const waiting = found.state === "queued" || found.state === "running";
      // The dashboard page says the date above the board; the home page's board says it here.
      const day = board.hasAttribute("data-compact") ? `统计日期 ${found.date}，` : "";
      if (found.source === "snapshot") {
        // The figures are those of the time shown, not of this moment: say so, and offer a new count.
        when.textContent = found.computed_at
          ? `${day}统计于 ${found.computed_at}（本组织党员较多，显示后台统计的结果）`
          : `${day}尚未统计完成`;
        again.hidden = waiting;
      } else {
        when.textContent = `${day}按当前数据实时统计（${found.computed_at}）`;
        again.hidden = true;
      }
      progress.hidden = !waiting;
      if (waiting) {
        const percent = Math.max(found.progress, 3);
        bar.style.width = `${percent}%`;
        progress.querySelector(".progress").setAttribute("aria-valuenow", String(found.progress));
        find("[data-stats-progress-text]").textContent =
          found.state === "queued"
            ? "本组织党员较多，统计已排队，将在后台进行，请稍候…"
            : `正在后台统计（${found.progress}%），完成后自动显示…`;
      }
      message.hidden = !found.message;
      message.textContent = found.message || "";
      board.dataset.state = found.state;
    };

    const show = (found) => {
      latest = found;
      status(found);
      // While a new snapshot is computed the last one stays shown: drawn once, not at every poll.
      if (found.series && found.computed_at !== drawnAt) {
        draw(found.series);
        drawnAt = found.computed_at;
      }
      clearTimeout(timer);
      if (found.state === "queued" || found.state === "running") timer = setTimeout(() => load("GET"), POLL_MS);
    };

    const load = (method) =>
      fetch(board.dataset.url, {
        method,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": board.dataset.csrf },
      })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(show)
        .catch(() => {
          when.textContent = "统计数据未能加载，请刷新页面重试";
        });

    again.addEventListener("click", () => {
      again.hidden = true;
      load("POST");
    });
    if (metricSelect) {
      metricSelect.addEventListener("change", () => {
        if (latest && latest.series) childrenMap(latest.series.children);
      });
    }
    let resizing = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => charts.forEach((instance) => instance.resize()), 150);
    });
    load("GET");
  };

  const start = () => document.querySelectorAll("[data-stats-board]").forEach(setup);
  if (window.echarts) start();
  else window.addEventListener("load", start);
})();
