// Behaviour the pages share, from a file: the Content-Security-Policy runs no inline handler.
document.documentElement.classList.add("js");

// On a phone the menu folds behind its button (zhuqi.css); the button opens and closes it.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".menu-toggle");
  if (!button) {
    return;
  }
  var menu = document.getElementById(button.getAttribute("aria-controls"));
  var open = menu.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});

// A select marked data-autosubmit submits its form when it changes (language, year).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});

// A form marked data-confirm asks before it is sent (withdrawing or returning an appeal).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// An amount box in yuan marked data-wan="ID" echoes what is typed in 万元 into the element ID
// (its data-format holds {} for the figure), so 360 typed for 360万元 shows as 0.036万元.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-wan]")) {
    return;
  }
  var echo = document.getElementById(box.dataset.wan);
  if (!echo) {
    return;
  }
  var yuan = parseFloat(box.value);
  echo.textContent = isNaN(yuan)
    ? ""
    : echo.dataset.format.replace("{}", (yuan / 10000).toLocaleString("zh-CN", { maximumFractionDigits: 6 }));
});
