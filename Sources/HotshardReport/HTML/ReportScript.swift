/// The page's only script: makes `table.sortable` headings into sort buttons, and applies a sort
/// named in the address (`#sort=TABLE-ID:COLUMN:asc|desc`) so that a sorted view can be linked.
/// It reads cells' `data-v` attributes or their text and moves rows; it never builds markup from
/// data (no `innerHTML`, no `eval`). Its SHA-256 is allowed by the page's CSP; nothing else runs.
enum ReportScript {
    static let source = """
        (function () {
          "use strict";
          function cellValue(cell, numeric) {
            if (!cell) { return numeric ? NaN : ""; }
            var v = cell.getAttribute("data-v");
            if (v === null) { v = cell.getAttribute("title") || cell.textContent || ""; }
            if (!numeric) { return v; }
            return v === "" ? NaN : Number(v);
          }
          function sortTable(table, column, descending) {
            var header = table.tHead.rows[0].cells;
            var numeric = header[column].getAttribute("data-type") === "num";
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = cellValue(a.cells[column], numeric);
              var y = cellValue(b.cells[column], numeric);
              if (numeric) {
                var xMissing = isNaN(x), yMissing = isNaN(y);
                if (xMissing || yMissing) { return xMissing === yMissing ? 0 : (xMissing ? 1 : -1); }
                return descending ? y - x : x - y;
              }
              var order = x < y ? -1 : (x > y ? 1 : 0);
              return descending ? -order : order;
            });
            var fragment = document.createDocumentFragment();
            rows.forEach(function (row) { fragment.appendChild(row); });
            body.appendChild(fragment);
            for (var i = 0; i < header.length; i++) { header[i].removeAttribute("aria-sort"); }
            header[column].setAttribute("aria-sort", descending ? "descending" : "ascending");
            table.setAttribute("data-sorted", header[column].getAttribute("data-col") + ":" + (descending ? "desc" : "asc"));
          }
          var tables = document.querySelectorAll("table.sortable");
          Array.prototype.forEach.call(tables, function (table) {
            if (!table.tHead || !table.tBodies.length) { return; }
            var header = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(header, function (th, column) {
              var button = document.createElement("button");
              button.type = "button";
              while (th.firstChild) { button.appendChild(th.firstChild); }
              th.appendChild(button);
              button.addEventListener("click", function () {
                var numeric = th.getAttribute("data-type") === "num";
                var current = th.getAttribute("aria-sort");
                var descending = current ? current === "ascending" : numeric;
                sortTable(table, column, descending);
              });
            });
            table.setAttribute("data-sortable", "ready");
          });
          var match = /^#sort=([a-z0-9-]+):([a-z0-9-]+):(asc|desc)$/.exec(window.location.hash);
          if (match) {
            var table = document.getElementById(match[1]);
            if (table && table.classList.contains("sortable") && table.tHead) {
              var header = table.tHead.rows[0].cells;
              for (var i = 0; i < header.length; i++) {
                if (header[i].getAttribute("data-col") === match[2]) { sortTable(table, i, match[3] === "desc"); }
              }
            }
          }
        })();
        """
}
