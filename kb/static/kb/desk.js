// The review desk without page loads: its forms are posted with fetch and the next claim's
// fragment is swapped in; a, r, d, s press Accept, Reject, Dispute, Skip (not while typing).
// Actor fields offer names from the API's actor search. Without this script the same forms
// post and redirect as plain HTML.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk) return;
  var busy = false;

  function typing(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  function swap(html, url) {
    desk.innerHTML = html;
    if (url && url !== window.location.href) window.history.pushState({ desk: true }, "", url);
    var where = desk.querySelector("#desk-where, .desk-done, .notice");
    if (where) {
      where.setAttribute("tabindex", "-1");
      where.focus({ preventScroll: true });
    }
    window.scrollTo({ top: desk.getBoundingClientRect().top + window.scrollY - 80 });
  }

  desk.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-desk]") || busy) return;
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    busy = true;
    desk.classList.add("desk-busy");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Desk-Fragment": "1" },
    })
      .then(function (response) {
        if (response.status >= 500) throw new Error("server error " + response.status);
        return response.text().then(function (html) {
          swap(html, response.redirected ? response.url : null);
        });
      })
      .catch(function () {
        // Fall back to the plain form post: the server answers with a whole page.
        form.removeAttribute("data-desk");
        if (submitter) form.requestSubmit(submitter);
        else form.submit();
      })
      .finally(function () {
        busy = false;
        desk.classList.remove("desk-busy");
      });
  });

  window.addEventListener("popstate", function () {
    window.location.reload();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target)) return;
    var button = desk.querySelector('button[data-key="' + (event.key || "").toLowerCase() + '"]');
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  // Actor names for the fields that take slugs (comma-separated): the last one typed is looked up.
  var list = document.getElementById("desk-actors");
  var timer = null;
  var asked = "";
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!list || !input.matches || !input.matches('input[data-autocomplete="actors"]')) return;
    var parts = input.value.split(",");
    var last = parts.pop().trim();
    var before = parts.map(function (p) { return p.trim(); }).filter(Boolean);
    var prefix = before.length ? before.join(",") + "," : "";
    window.clearTimeout(timer);
    if (last.length < 2 || last === asked) return;
    timer = window.setTimeout(function () {
      asked = last;
      var url = "/api/v1/actors/?page_size=8&search=" + encodeURIComponent(last);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) {
          list.replaceChildren();
          (body.results || []).forEach(function (actor) {
            var option = document.createElement("option");
            option.value = prefix + actor.slug;
            option.label = actor.name + " (" + actor.kind + ")";
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
