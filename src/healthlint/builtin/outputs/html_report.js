// healthlint review report: filters and finding focus. Works offline; reads only the DOM.
// The filter state lives in the URL fragment (#severity=error,warning&rule=HL104&file=a.md),
// so a filtered view can be bookmarked or sent to a colleague.
(function () {
  "use strict";

  var SEVERITIES = ["error", "warning", "info"];
  var form = document.getElementById("filters");
  var shownLabel = document.getElementById("shown");
  var anchors = Array.prototype.slice.call(document.querySelectorAll("[data-code]"));
  var pages = Array.prototype.slice.call(document.querySelectorAll("section.page"));
  var parts = {};

  document.documentElement.classList.add("js");
  Array.prototype.forEach.call(document.querySelectorAll("[data-finding]"), function (el) {
    var key = el.getAttribute("data-finding");
    (parts[key] = parts[key] || []).push(el);
  });

  function stateFromForm() {
    var checked = Array.prototype.slice.call(form.querySelectorAll("input[name=severity]"))
      .filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    return {
      severities: checked,
      rule: form.elements.rule.value,
      file: form.elements.file.value,
      explain: form.elements.explain.checked
    };
  }

  function setForm(state) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=severity]"), function (box) {
      box.checked = state.severities.indexOf(box.value) !== -1;
    });
    selectValue(form.elements.rule, state.rule);
    selectValue(form.elements.file, state.file);
    form.elements.explain.checked = state.explain;
  }

  function selectValue(select, value) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    select.value = known ? value : "";
  }

  function stateFromHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var severities = params.has("severity")
      ? params.get("severity").split(",").filter(function (s) { return SEVERITIES.indexOf(s) !== -1; })
      : SEVERITIES.slice();
    return {
      severities: severities,
      rule: params.get("rule") || "",
      file: params.get("file") || "",
      explain: params.get("explain") === "1"
    };
  }

  function hashFromState(state) {
    var params = new URLSearchParams();
    if (state.severities.length !== SEVERITIES.length) params.set("severity", state.severities.join(","));
    if (state.rule) params.set("rule", state.rule);
    if (state.file) params.set("file", state.file);
    if (state.explain) params.set("explain", "1");
    return params.toString();
  }

  function isFilterHash() {
    return location.hash.indexOf("=") !== -1 || location.hash === "" || location.hash === "#";
  }

  function matches(el, state) {
    return state.severities.indexOf(el.getAttribute("data-severity")) !== -1 &&
      (!state.rule || el.getAttribute("data-code") === state.rule) &&
      (!state.file || el.getAttribute("data-file") === state.file);
  }

  function apply(state) {
    var shown = 0;
    anchors.forEach(function (anchor) {
      var visible = matches(anchor, state);
      if (visible) shown += 1;
      (parts[anchor.getAttribute("data-finding")] || [anchor]).forEach(function (el) {
        el.classList.toggle("filtered-out", !visible);
      });
    });
    pages.forEach(function (page) {
      var own = page.querySelectorAll("[data-code]:not(.filtered-out)").length;
      var wanted = state.file ? page.getAttribute("data-file") === state.file : own > 0 || !page.querySelector("[data-code]");
      page.classList.toggle("filtered-out", !wanted);
    });
    document.querySelectorAll("[data-note]").forEach(function (note) {
      note.classList.toggle("is-open", state.explain);
    });
    shownLabel.textContent = shown === anchors.length
      ? anchors.length + (anchors.length === 1 ? " finding" : " findings") + " shown"
      : shown + " of " + anchors.length + " findings shown";
  }

  function onFormChange() {
    var state = stateFromForm();
    apply(state);
    var hash = hashFromState(state);
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (ignored) {
      // Some browsers refuse history changes on file: pages; the filter still applies.
    }
  }

  function onHashChange() {
    if (!isFilterHash()) return;  // a link to a page or finding, not a filter
    var state = stateFromHash();
    setForm(state);
    apply(state);
  }

  function focusFinding(key) {
    document.querySelectorAll(".is-active").forEach(function (el) { el.classList.remove("is-active"); });
    (parts[key] || []).forEach(function (el) {
      el.classList.add("is-active");
      if (el.hasAttribute("data-note")) el.classList.add("is-open");
    });
  }

  form.addEventListener("change", onFormChange);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function (event) {
    // Reset by hand rather than after the browser's own reset, so the view updates at once.
    event.preventDefault();
    setForm({ severities: SEVERITIES.slice(), rule: "", file: "", explain: false });
    onFormChange();
  });
  window.addEventListener("hashchange", onHashChange);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var ruleButton = target.closest("[data-filter-rule]");
    if (ruleButton) {
      selectValue(form.elements.rule, ruleButton.getAttribute("data-filter-rule"));
      onFormChange();
      form.scrollIntoView({ block: "start" });
      return;
    }
    if (target.closest("a")) return;
    var message = target.closest("[data-note] .msg");
    if (message) {
      message.closest("[data-note]").classList.toggle("is-open");
      return;
    }
    var finding = target.closest("mark[data-finding], [data-note]");
    if (finding && !finding.classList.contains("filtered-out")) focusFinding(finding.getAttribute("data-finding"));
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target instanceof Element && target.matches("mark[data-finding]")) {
      event.preventDefault();
      focusFinding(target.getAttribute("data-finding"));
    }
  });

  form.hidden = false;
  var initial = isFilterHash() ? stateFromHash() : stateFromForm();
  setForm(initial);
  apply(initial);
})();
