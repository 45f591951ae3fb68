// Organizational life. The meeting form (meetings/form.html) shows a field only when a kind that
// needs it is ticked (data-kind-fields: "party_group:group;lecturer:lecture;…"): the party group
// for a 党小组会, the lecturer for a 党课, the people talked with for a 谈心谈话. A hidden field's
// inputs are disabled, so they are not sent. The attendance screen shows the leave reason only for
// 请假 and marks everyone present at one tap.
(() => {
  const form = document.querySelector("[data-meeting-form]");
  if (form) {
    const needs = form.dataset.kindFields.split(";").map((pair) => {
      const [name, codes] = pair.split(":");
      return [name, codes ? codes.split(",") : []];
    });
    const boxes = [...form.querySelectorAll("input[name=kinds]")];
    const show = () => {
      const ticked = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
      needs.forEach(([name, codes]) => {
        const block = form.querySelector(`[data-field-name="${name}"]`);
        if (!block) return;
        const shown = codes.some((code) => ticked.has(code));
        block.hidden = !shown;
        block.querySelectorAll("input, select, textarea").forEach((input) => {
          if (input.getAttribute("form") !== "picker-detached") input.disabled = !shown;
        });
      });
    };
    boxes.forEach((box) => box.addEventListener("change", show));
    show();
  }
  const sheet = document.querySelector("[data-attendance-form]");
  if (sheet) {
    const sync = (row) => {
      const leave = row.querySelector("input[type=radio][value=leave]");
      const reason = row.querySelector("[data-leave-reason]");
      if (leave && reason) reason.hidden = !leave.checked;
    };
    sheet.querySelectorAll(".attendance-row").forEach((row) => {
      row.addEventListener("change", () => sync(row));
      sync(row);
    });
    const all = sheet.querySelector("[data-all-present]");
    if (all) {
      all.addEventListener("click", () => {
        sheet.querySelectorAll("input[type=radio][value=present]").forEach((radio) => {
          radio.checked = true;
        });
        sheet.querySelectorAll(".attendance-row").forEach(sync);
      });
    }
  }
})();
