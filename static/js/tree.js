// Expand and collapse the organization tree. The first expansion loads the children with htmx
// (hx-trigger="click once" on the button); after that a click only shows or hides them.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".tree-toggle[data-children]");
  if (!button) return;
  const list = document.getElementById(button.dataset.children);
  if (!list) return;
  const expand = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(expand));
  button.textContent = expand ? "▾" : "▸";
  list.hidden = !expand;
});
