// Forms with data-confirm ask before they submit (deleting a record entered by mistake).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// The pickers: the organization picker (orgs/widgets.py) and the member pickers (members/picker.py).
// A click on a match sets the hidden value (one member or organization) or adds a chip (several
// members); a filter form with an organization picker submits at once.
document.addEventListener("click", (event) => {
  const picker = event.target.closest("[data-org-picker], [data-picker]");
  if (!picker) return;
  const text = picker.querySelector("[data-org-picker-input], [data-picker-input]");
  const results = picker.querySelector(".org-picker-results, .picker-results");
  const match = event.target.closest("[data-pick-id]");
  const clear = event.target.closest("[data-org-picker-clear], [data-picker-clear]");
  const remove = event.target.closest("[data-picker-remove]");
  if (remove) {
    remove.closest(".picker-chip").remove();
    return;
  }
  if (!match && !clear) return;
  if (picker.hasAttribute("data-picker-multiple")) {
    const name = picker.dataset.pickerName;
    const chosen = picker.querySelector(".picker-chosen");
    if (match && !chosen.querySelector(`input[value="${match.dataset.pickId}"]`)) {
      const chip = document.createElement("span");
      chip.className = "badge text-bg-light border picker-chip";
      chip.textContent = match.dataset.pickName;
      const hidden = document.createElement("input");
      Object.assign(hidden, { type: "hidden", name: name, value: match.dataset.pickId });
      const button = document.createElement("button");
      Object.assign(button, { type: "button", className: "btn-close ms-1" });
      button.setAttribute("data-picker-remove", "");
      button.setAttribute("aria-label", `移除${match.dataset.pickName}`);
      chip.append(hidden, button);
      chosen.append(chip);
    }
    text.value = "";
  } else {
    picker.querySelector("input[type=hidden]").value = match ? match.dataset.pickId : "";
    text.value = match ? match.dataset.pickName : "";
  }
  results.innerHTML = "";
  if (picker.hasAttribute("data-submit-on-pick")) picker.closest("form").requestSubmit();
});

// Typing in a picker must not count as changing the form it sits in (filter forms react to change),
// and Enter in it must not submit the form.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-org-picker-input], [data-picker-input]")) event.stopPropagation();
}, true);
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches("[data-picker-input]")) event.preventDefault();
});
