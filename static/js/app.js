// Forms with data-confirm ask before they submit (deleting a record entered by mistake).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// The organization picker (orgs/widgets.py): a click on a match sets the hidden value; filter
// forms submit at once.
document.addEventListener("click", (event) => {
  const picker = event.target.closest("[data-org-picker]");
  if (!picker) return;
  const hidden = picker.querySelector("input[type=hidden]");
  const text = picker.querySelector("[data-org-picker-input]");
  const results = picker.querySelector(".org-picker-results");
  const match = event.target.closest("[data-pick-id]");
  const clear = event.target.closest("[data-org-picker-clear]");
  if (!match && !clear) return;
  hidden.value = match ? match.dataset.pickId : "";
  text.value = match ? match.dataset.pickName : "";
  results.innerHTML = "";
  if (picker.hasAttribute("data-submit-on-pick")) picker.closest("form").requestSubmit();
});

// Typing in a picker must not count as changing the form it sits in (filter forms react to change).
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-org-picker-input]")) event.stopPropagation();
}, true);
