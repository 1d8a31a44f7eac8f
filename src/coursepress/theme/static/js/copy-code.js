// A "Copy" button on each code block. The script adds the buttons itself, so a page read
// without it (or without a clipboard) shows its code as it is. Line numbers are not copied.
(function () {
  "use strict";
  if (!navigator.clipboard || !document.querySelectorAll) return;
  var status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  document.querySelectorAll("div.highlight > pre").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "Copy";
    button.addEventListener("click", function () {
      var code = (pre.querySelector("code") || pre).cloneNode(true);
      code.querySelectorAll(".linenos").forEach(function (number) { number.remove(); });
      navigator.clipboard.writeText(code.textContent).then(
        function () { say(button, "Copied"); },
        function () { say(button, "Copy failed"); }
      );
    });
    pre.parentNode.insertBefore(button, pre);
  });
  function say(button, text) {
    // The status keeps its words until the next copy (a screen reader reads each change
    // once); the button shows the outcome for two seconds.
    button.textContent = text;
    status.textContent = text === "Copied" ? "Code copied to the clipboard" : text;
    setTimeout(function () { button.textContent = "Copy"; }, 2000);
  }
})();
