// Marks the navigation entry of the current page: the link whose path is the longest prefix
// of this page's path (and whose ?queue=…, if any, matches), so people always see where they are.
(function () {
  "use strict";
  var here = window.location;
  var best = null;
  var bestLength = -1;
  document.querySelectorAll("#mainnav .navbar-nav .nav-link[href]:not(.dropdown-toggle)").forEach(function (link) {
    if (link.getAttribute("href").charAt(0) === "#") return;
    var url = new URL(link.getAttribute("href"), here.href);
    if (url.pathname === "/" && here.pathname !== "/") return;
    if (here.pathname.indexOf(url.pathname) !== 0) return;
    var queue = url.searchParams.get("queue");
    if (queue && new URLSearchParams(here.search).get("queue") !== queue) return;
    var length = url.pathname.length + (queue ? 1 : 0);
    if (length > bestLength) {
      best = link;
      bestLength = length;
    }
  });
  if (best) {
    best.classList.add("active");
    best.setAttribute("aria-current", "page");
  }
})();
