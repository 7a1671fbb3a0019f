// Case page: confirm, dismiss, retract and reinstate a finding in place.
//
// The forms stay plain POST forms: without this script they post and the server redirects back
// to the page. Here a form marked data-inplace is sent with fetch and the header htmx sends
// (HX-Request), and the server answers the findings part of the page with the action's message
// (audits.views.case_findings_fragment). That part replaces the page's own: no reload, the
// scroll position kept, and what was typed or opened elsewhere in it kept too. Any other answer
// (403, 404, a network failure) falls back to the plain POST, so the person sees what they would
// have seen without JavaScript.
(function () {
  "use strict";
  var section = document.getElementById("discrepancies");
  if (!section || !window.fetch || !window.DOMParser || !window.FormData) { return; }
  var messages = document.getElementById("inplace-messages");
  var FADE_MS = 8000;

  function key(form, field) { return form.getAttribute("action") + " " + field.name; }

  function textFields(form) {
    return form.querySelectorAll("input[type=text], input:not([type]), textarea");
  }

  // What the person has opened and typed in the part about to be replaced, and which items it shows.
  function remember() {
    var state = { open: {}, values: {}, items: {} };
    section.querySelectorAll("details[id]").forEach(function (d) { state.open[d.id] = d.open; });
    section.querySelectorAll("form[data-inplace]").forEach(function (form) {
      textFields(form).forEach(function (field) { if (field.value) { state.values[key(form, field)] = field.value; } });
    });
    section.querySelectorAll("[id^=finding-], [id^=discrepancy-]").forEach(function (el) { state.items[el.tagName + "#" + el.id] = true; });
    return state;
  }

  function restore(state, sent, refused) {
    section.querySelectorAll("details[id]").forEach(function (d) {
      if (Object.prototype.hasOwnProperty.call(state.open, d.id)) { d.open = state.open[d.id]; }
    });
    section.querySelectorAll("form[data-inplace]").forEach(function (form) {
      // The form just sent starts empty again once its action is done; refused, it keeps the text.
      if (!refused && form.getAttribute("action") === sent) { return; }
      textFields(form).forEach(function (field) {
        var value = state.values[key(form, field)];
        if (value !== undefined) { field.value = value; }
      });
    });
    // Rows that arrive (a confirmed finding in the register, a dismissed one set aside) are marked briefly.
    section.querySelectorAll("[id^=discrepancy-]").forEach(function (el) {
      if (!state.items[el.tagName + "#" + el.id]) { el.classList.add("inplace-new"); }
    });
  }

  // The item after the one acted on, to take the keyboard focus without moving the page.
  function following(form) {
    var item = form.closest("[id^=finding-], [id^=discrepancy-]");
    var next = item && item.nextElementSibling;
    while (next && !next.id) { next = next.nextElementSibling; }
    return next ? next.id : null;
  }

  function showMessages(doc) {
    var incoming = doc.getElementById("inplace-messages");
    if (!messages || !incoming) { return; }
    messages.replaceChildren.apply(messages, Array.prototype.slice.call(incoming.childNodes));
    messages.querySelectorAll(".alert-success, .alert-info").forEach(function (alert) {
      window.setTimeout(function () { if (alert.parentNode) { alert.parentNode.removeChild(alert); } }, FADE_MS);
    });
  }

  function swap(doc, form, refused) {
    var incoming = doc.getElementById("discrepancies");
    if (!incoming) { return false; }
    var state = remember();
    var nextId = refused ? null : following(form);
    var sent = form.getAttribute("action");
    var y = window.scrollY;
    section.replaceChildren.apply(section, Array.prototype.slice.call(incoming.childNodes));
    restore(state, sent, refused);
    window.scrollTo(window.scrollX, y);
    showMessages(doc);
    var focus = nextId && document.getElementById(nextId);
    var target = focus && focus.querySelector("button, a, input:not([type=hidden]), summary");
    if (target) { target.focus({ preventScroll: true }); }
    return true;
  }

  section.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-inplace]")) { return; }
    event.preventDefault();
    if (form.classList.contains("inplace-busy")) { return; }
    form.classList.add("inplace-busy");
    section.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!(response.ok || response.status === 400)) { throw new Error(String(response.status)); }
        return response.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          if (!swap(doc, form, response.status === 400)) { throw new Error("no fragment"); }
        });
      })
      .catch(function () {
        form.classList.remove("inplace-busy");
        form.submit();  // the plain POST: the server redirects back, or shows why not
      })
      .then(function () {
        form.classList.remove("inplace-busy");
        section.removeAttribute("aria-busy");
      });
  });
})();
