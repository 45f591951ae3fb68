// The step form of a development file (development/forms.py StepForm): a field marked
// data-shown-with="outcome=extend" is shown only while the form's "outcome" says so (延长预备期
// only when the branch meeting extends probation). Without this script the field simply stays.
(() => {
  const update = (form) => {
    form.querySelectorAll("[data-shown-with]").forEach((field) => {
      const [name, value] = field.dataset.shownWith.split("=");
      const control = form.elements.namedItem(name);
      const wrapper = field.closest(".form-field, .mb-3") || field;
      const shown = !control || control.value === value || field.value !== "";
      wrapper.hidden = !shown;
    });
  };
  document.querySelectorAll("form").forEach((form) => {
    if (form.querySelector("[data-shown-with]")) update(form);
  });
  document.addEventListener("change", (event) => {
    const form = event.target.form;
    if (form && form.querySelector("[data-shown-with]")) update(form);
  });
})();
