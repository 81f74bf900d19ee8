/* certcredit: one small script, no build step; every page works without it (the menu then stays open). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    /* the phone menu: a button that shows and hides the links (CSS hides them at phone width only with this script) */
    var toggle = document.querySelector(".menu-toggle");
    var menu = document.getElementById("menu");
    if (toggle && menu) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("open", open);
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.classList.contains("open")) {
          toggle.setAttribute("aria-expanded", "false");
          menu.classList.remove("open");
          toggle.focus();
        }
      });
    }

    /* tables become one card per row on phones: each cell is named by its column's heading */
    document.querySelectorAll("table.data").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) return;
      table.classList.add("stack");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var label = heads[column];
          if (label && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) cell.setAttribute("data-label", label);
          column += cell.colSpan || 1;
        });
      });
    });

    /* a page that follows a background task (data-follow="seconds") loads itself again until the task is done */
    var follow = document.querySelector("[data-follow]");
    if (follow) {
      var seconds = parseFloat(follow.getAttribute("data-follow")) || 2;
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    }
  });
})();
