// The restructuring wizard (orgs/restructure.html): show only the fields the choices made so far
// need, count what is ticked in a long list, and once the form is changed after a preview, take
// the confirm button away: what would be carried out is no longer what was previewed.
(() => {
  const form = document.getElementById("restructure-form");
  if (!form) return;
  const field = (name) => form.querySelector(`[data-field-name="${name}"]`);
  const show = (element, shown) => {
    // A field the server found wrong stays in sight, whatever the choices.
    if (element && !element.classList.contains("has-error")) element.hidden = !shown;
  };

  const counters = [];
  form.querySelectorAll(".form-choices").forEach((set) => {
    const boxes = set.querySelectorAll("input[type=checkbox]");
    if (!boxes.length || !set.querySelector(".choice-list-long")) return; // a short list is seen whole
    const counter = document.createElement("span");
    counter.className = "badge text-bg-light border ms-2 fw-normal";
    counter.dataset.testid = `count-${set.dataset.fieldName}`;
    set.querySelector("legend").append(counter);
    counters.push([counter, boxes]);
  });

  const update = () => {
    // 撤并: the new organization's fields only when merging into a new one, and an organization
    // being merged away cannot also be the one merged into.
    if (form.querySelector("input[name=target]")) {
      const target = form.querySelector("input[name=target]:checked");
      form.querySelectorAll('[data-field-name^="new_"]').forEach((element) => show(element, target && target.value === "new"));
      const sources = new Set([...form.querySelectorAll("input[name=sources]:checked")].map((box) => box.value));
      form.querySelectorAll("input[name=target]").forEach((radio) => {
        radio.disabled = sources.has(radio.value);
        if (radio.disabled) radio.checked = false;
      });
    }
    // 改建: holding members directly is a question for a 党委 or 党总支 only, and its approval
    // only when they do.
    const kind = form.querySelector("select[name=kind]");
    if (kind) {
      const branchLevel = (form.dataset.branchKinds || "").split(" ").includes(kind.value);
      const direct = form.querySelector("input[name=holds_members_directly]");
      show(field("holds_members_directly"), !branchLevel);
      show(field("setup_approval"), !branchLevel && direct && direct.checked);
    }
    counters.forEach(([counter, boxes]) => {
      counter.textContent = `已选 ${[...boxes].filter((box) => box.checked).length} 项`;
    });
  };

  const changed = () => {
    update();
    const current = document.querySelector("[data-preview-current]");
    const stale = document.querySelector("[data-preview-stale]");
    if (current && stale) {
      current.hidden = true;
      stale.hidden = false;
    }
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  update();
})();
