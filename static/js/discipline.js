// The sanction form (discipline/form.html) shows a field only for the kind that needs it: the
// period for 留党察看, the post for 撤销党内职务. A hidden field is disabled, so it is not sent:
// a period chosen and then left for another kind does not come back as an error.
(() => {
  const form = document.querySelector("[data-sanction-form]");
  if (!form) return;
  const kind = form.querySelector("[name=kind]");
  const show = () => {
    form.querySelectorAll("[data-shown-for-kind]").forEach((field) => {
      const shown = field.dataset.shownForKind === kind.value;
      field.disabled = !shown;
      field.closest(".mb-3").hidden = !shown;
    });
  };
  kind.addEventListener("change", show);
  show();
})();
