// Citations without a page reload: Copy buttons, and the Cite links of resource pages, which
// open a panel with the BibTeX of the statement (fetched from its citation URL), a Copy button,
// a Download link and a link to every format. Nothing is fetched from another site.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // older browsers and plain-HTTP sites: a selected, hidden text area
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "absolute";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand("copy");
      document.body.removeChild(area);
      if (done) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function onCopy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var text = target.textContent;
    copyText(text).then(function () {
      button.setAttribute("data-copied", text);
      var label = button.getAttribute("data-copied-text");
      if (label) { button.textContent = label; }
    });
  }

  function withFormat(url, name, download) {
    var target = new URL(url, window.location.href);
    target.searchParams.set("format", name);
    if (download) { target.searchParams.set("download", "1"); }
    return target.toString();
  }

  var panels = 0;

  function openPanel(link) {
    var next = link.nextElementSibling;
    if (next && next.classList.contains("cite-panel")) {
      next.hidden = !next.hidden;
      return;
    }
    panels += 1;
    var id = "cite-panel-" + panels;
    var panel = document.createElement("div");
    panel.className = "cite-panel";
    var pre = document.createElement("pre");
    pre.id = id;
    pre.className = "cite-bibtex";
    var copy = document.createElement("button");
    copy.type = "button";
    copy.className = "copy";
    copy.setAttribute("data-copy", id);
    copy.setAttribute("data-copied-text", link.getAttribute("data-copied-text") || "Copied");
    copy.textContent = link.getAttribute("data-copy-text") || "Copy";
    var download = document.createElement("a");
    download.className = "download";
    download.href = withFormat(link.href, "bibtex", true);
    download.setAttribute("download", "");
    download.textContent = link.getAttribute("data-download-text") || "Download";
    var all = document.createElement("a");
    all.className = "all-formats";
    all.href = link.href;
    all.textContent = link.getAttribute("data-all-text") || "All formats";
    var actions = document.createElement("p");
    actions.className = "cite-actions";
    actions.append(copy, download, all);
    panel.append(pre, actions);
    link.after(panel);
    fetch(withFormat(link.href, "bibtex", false), { headers: { Accept: "application/x-bibtex" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.text();
      })
      .then(function (text) { pre.textContent = text; panel.setAttribute("data-loaded", "true"); })
      .catch(function (error) { pre.textContent = String(error); panel.setAttribute("data-loaded", "error"); });
  }

  function loadDetails(details) {
    var pre = details.querySelector("pre[data-cite-load]");
    if (!pre || pre.getAttribute("data-loaded")) { return; }
    pre.setAttribute("data-loaded", "pending");
    fetch(pre.getAttribute("data-cite-load"), { headers: { Accept: "application/x-bibtex" } })
      .then(function (response) { return response.text(); })
      .then(function (text) { pre.textContent = text; pre.setAttribute("data-loaded", "true"); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (button) { onCopy(button); return; }
    var link = event.target.closest("a.cite-link");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      openPanel(link);
    }
  });
  document.querySelectorAll("details.cite-resource").forEach(function (details) {
    details.addEventListener("toggle", function () { if (details.open) { loadDetails(details); } });
  });
})();
