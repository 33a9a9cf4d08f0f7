document.querySelectorAll("input.file-input").forEach(function (input) {
  var shown = document.getElementById(input.getAttribute("aria-describedby"));
  var none = shown.textContent;
  input.addEventListener("change", function () {
    shown.textContent = input.files.length ? input.files[0].name : none;
  });
});
