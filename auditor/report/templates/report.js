(function () {
  "use strict";
  // Every value from the estate is attacker-controlled: it only ever reaches the page through
  // textContent or setAttribute on fixed attribute names, never as markup.
  var raw = document.getElementById("report-data");
  var data = JSON.parse(raw.textContent);
  var S = data.strings;
  var PAGE = 250;
  var SEV_RANK = {critical: 4, high: 3, medium: 2, low: 1, info: 0};
  var VERDICT_RANK = {FAIL: 0, ERROR: 1, WAIVED: 2, PASS: 3, NOT_APPLICABLE: 4};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function td(text, cls) { return el("td", cls, text); }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  // A console link: a fixed https:// template from the report's generator, with the resource name
  // percent-encoded into it (auditor/report/console_links.py builds the same URL).
  function consoleUrl(template, name) {
    return template < 0 ? "" : S[template].split("{name}").join(encodeURIComponent(name));
  }
  function consoleLink(url) {
    var a = el("a", "console", "console");
    a.setAttribute("href", url);
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer");
    return a;
  }
  function option(select, value, label) {
    var o = el("option", null, label);
    o.value = value;
    select.appendChild(o);
  }

  // ------------------------------------------------------------------ findings
  // A row is [policy, verdict, resource, message] (+ [severity, waiver] where they differ from the
  // policy's severity and no waiver); a resource is [arn, name, account, region, tags, kind, console].
  var findings = data.findings.map(function (r, i) {
    var p = data.policies[r[0]], res = data.resources[r[2]], tail = r.length > 4;
    return {
      i: i, policy: p, pi: r[0], severity: tail ? data.severities[r[4]] : p.severity,
      verdict: data.verdicts[r[1]], arn: S[res[0]], name: S[res[1]], account: S[res[2]],
      region: S[res[3]], message: S[r[3]], waiver: tail && r[5] >= 0 ? S[r[5]] : "",
      tags: res[4] < 0 ? "" : S[res[4]], kind: data.kinds[res[5]], res: r[2],
      console: consoleUrl(res[6], S[res[1]]),
      lifecycle: data.lifecycle.length && data.lifecycle[i] >= 0 ? S[data.lifecycle[i]] : ""
    };
  });
  findings.forEach(function (f) {
    f.haystack = [f.policy.id, f.policy.title, f.arn, f.name, f.account, f.region, f.message, f.waiver, f.tags,
      f.lifecycle].join("\n").toLowerCase();
  });

  var fSev = document.getElementById("f-severity"), fAcc = document.getElementById("f-account"),
    fReg = document.getElementById("f-region"), fVer = document.getElementById("f-verdict"),
    fPol = document.getElementById("f-policy"), fText = document.getElementById("f-text"),
    fSort = document.getElementById("f-sort"), fBody = document.getElementById("findings-body"),
    fStatus = document.getElementById("findings-status"), fMore = document.getElementById("findings-more"),
    fScope = document.getElementById("f-scope"), fScopeText = document.getElementById("f-scope-text");
  // The endpoint-chain filter of a coverage cell: the coverage row, and its resources as a lookup.
  var chainRow = -1, chain = null;
  function setChain(row) {
    chainRow = row;
    chain = null;
    if (row >= 0) {
      chain = {};
      data.coverage[row][8].forEach(function (res) { chain[res] = true; });
    }
  }

  function uniq(values) { return Array.from(new Set(values)).sort(); }
  data.severities.forEach(function (s) { option(fSev, s, s); });
  uniq(findings.map(function (f) { return f.account; })).forEach(function (a) { option(fAcc, a, a); });
  uniq(findings.map(function (f) { return f.region; })).forEach(function (r) { option(fReg, r, r); });
  data.verdicts.forEach(function (v) { option(fVer, v, v.replace("_", " ")); });
  data.policies.forEach(function (p, i) { option(fPol, String(i), p.id + " \u2014 " + p.title); });

  var shown = PAGE, current = [];

  function matches(f, q) {
    if (fSev.value && f.severity !== fSev.value) { return false; }
    if (fAcc.value && f.account !== fAcc.value) { return false; }
    if (fReg.value && f.region !== fReg.value) { return false; }
    if (fPol.value && String(f.pi) !== fPol.value) { return false; }
    if (chain && !chain[f.res]) { return false; }
    if (fVer.value === "_problems") { if (f.verdict === "PASS" || f.verdict === "NOT_APPLICABLE") { return false; } }
    else if (fVer.value && f.verdict !== fVer.value) { return false; }
    return !q || f.haystack.indexOf(q) !== -1;
  }
  function compare(a, b) {
    var key = fSort.value, d = 0;
    if (a.pi !== b.pi) {  // grouped by policy, the most severe policies first
      d = SEV_RANK[b.policy.severity] - SEV_RANK[a.policy.severity];
      return d !== 0 ? d : (a.policy.id < b.policy.id ? -1 : 1);
    }
    if (key === "severity") { d = SEV_RANK[b.severity] - SEV_RANK[a.severity]; }
    else if (key === "verdict") { d = VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict]; }
    else if (key === "account") { d = a.account < b.account ? -1 : a.account > b.account ? 1 : 0; }
    else if (key === "region") { d = a.region < b.region ? -1 : a.region > b.region ? 1 : 0; }
    else if (key === "name") { d = a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }
    if (d === 0) { d = VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict]; }
    if (d === 0) { d = a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0; }
    return d;
  }
  function groupRow(p, count) {
    var tr = el("tr", "group"), th = el("th");
    th.colSpan = 6;
    th.appendChild(el("span", "sev sev-" + p.severity, p.severity));
    th.appendChild(document.createTextNode(" "));
    th.appendChild(el("span", "title", p.title));
    th.appendChild(el("span", "mono muted", "  " + p.id));
    th.appendChild(el("span", "counts", "  \u00b7 " + count + " shown"));
    if (p.remediation) { th.appendChild(el("span", "remediation", "How to fix: " + p.remediation)); }
    tr.appendChild(th);
    return tr;
  }
  function findingRow(f) {
    var tr = el("tr");
    var v = td(null); v.appendChild(el("span", "v v-" + f.verdict, f.verdict.replace("_", " "))); tr.appendChild(v);
    // A check that does not apply has no severity to show.
    var s = td(null);
    if (f.verdict === "NOT_APPLICABLE") { s.appendChild(el("span", "muted", "\u2013")); }
    else { s.appendChild(el("span", "sev sev-" + f.severity, f.severity)); }
    tr.appendChild(s);
    var r = td(null, "wrap"), nm = el("div", null, f.name);
    if (f.console) { nm.appendChild(document.createTextNode(" ")); nm.appendChild(consoleLink(f.console)); }
    r.appendChild(nm); r.appendChild(el("div", "mono muted", f.arn));
    if (f.tags) { r.appendChild(el("div", "muted", "tags: " + f.tags)); }
    tr.appendChild(r);
    tr.appendChild(td(f.account, "mono nowrap"));
    tr.appendChild(td(f.region, "mono nowrap"));
    var m = td(f.message, "wrap");
    if (f.waiver) { m.appendChild(el("div", "muted", "Waiver: " + f.waiver)); }
    if (f.lifecycle) { m.appendChild(el("div", "lifecycle", "History: " + f.lifecycle)); }
    tr.appendChild(m);
    return tr;
  }
  function renderFindings() {
    clear(fBody);
    var counts = {};
    var limit = Math.min(shown, current.length);
    for (var i = 0; i < limit; i++) { counts[current[i].pi] = (counts[current[i].pi] || 0) + 1; }
    var last = -1;
    for (var j = 0; j < limit; j++) {
      var f = current[j];
      if (f.pi !== last) { fBody.appendChild(groupRow(f.policy, counts[f.pi])); last = f.pi; }
      fBody.appendChild(findingRow(f));
    }
    fStatus.textContent = "Showing " + limit + " of " + current.length + " matching findings (" +
      findings.length + " in total).";
    fScope.hidden = !chain;
    fScopeText.textContent = chain ? "Only the endpoint " + rows[chainRow].name +
      " and the monitors, job definitions and alarms linked to it." : "";
    fMore.hidden = limit >= current.length;
  }
  function applyFindings() {
    saveView();
    var q = fText.value.trim().toLowerCase();
    current = findings.filter(function (f) { return matches(f, q); });
    current.sort(compare);
    shown = PAGE;
    renderFindings();
  }
  [fSev, fAcc, fReg, fVer, fPol, fSort].forEach(function (c) { c.addEventListener("change", applyFindings); });
  document.getElementById("f-scope-clear").addEventListener("click", function () { setChain(-1); applyFindings(); });
  var timer = null;
  fText.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(applyFindings, 150); });
  fMore.addEventListener("click", function () { shown += PAGE * 4; renderFindings(); });

  // ------------------------------------------------------------------ coverage matrix
  var cBody = document.getElementById("coverage-body"), cText = document.getElementById("c-text"),
    cState = document.getElementById("c-state"), cStatus = document.getElementById("coverage-status"),
    cMore = document.getElementById("coverage-more");
  var SYM = data.state_symbols, LABEL = data.state_labels;
  var rows = data.coverage.map(function (r) {
    return {name: S[r[0]], arn: S[r[1]], account: S[r[2]], region: S[r[3]], kind: S[r[4]],
      cells: r[5].map(function (c) { return data.states[c]; }), notes: r[6] < 0 ? "" : S[r[6]],
      console: consoleUrl(r[7], S[r[0]]), chain: r[8]};
  });
  rows.forEach(function (r) {
    r.haystack = [r.name, r.arn, r.account, r.region, r.kind, r.notes].join("\n").toLowerCase();
  });
  var cShown = PAGE, cCurrent = [];
  // A cell links to the findings of its endpoint's chain ("#view:ep=<ARN>", applied like a shared link).
  function cellTd(state, row) {
    var c = td(null), link = el("a", "cell c-" + state);
    link.appendChild(el("span", "sym", SYM[state]));
    link.appendChild(document.createTextNode(" " + LABEL[state]));
    link.setAttribute("title", LABEL[state] + ": show the findings of " + row.name);
    link.setAttribute("href", "#view:ep=" + encodeURIComponent(row.arn));
    c.appendChild(link);
    return c;
  }
  function renderCoverage() {
    clear(cBody);
    var limit = Math.min(cShown, cCurrent.length);
    for (var i = 0; i < limit; i++) {
      var r = cCurrent[i], tr = el("tr"), name = td(null, "wrap"), nm = el("div", null, r.name);
      if (r.console) { nm.appendChild(document.createTextNode(" ")); nm.appendChild(consoleLink(r.console)); }
      name.appendChild(nm);
      name.appendChild(el("div", "mono muted arn", r.arn));
      tr.appendChild(name);
      var where = td(null, "mono nowrap");
      where.appendChild(el("div", null, r.account));
      where.appendChild(el("div", null, r.region));
      tr.appendChild(where);
      tr.appendChild(td(r.kind.replace("_", " ")));
      r.cells.forEach(function (s) { tr.appendChild(cellTd(s, r)); });
      tr.appendChild(td(r.notes, "wrap muted"));
      cBody.appendChild(tr);
    }
    cStatus.textContent = "Showing " + limit + " of " + cCurrent.length + " matching endpoints (" +
      rows.length + " in total).";
    cMore.hidden = limit >= cCurrent.length;
  }
  function applyCoverage() {
    saveView();
    var q = cText.value.trim().toLowerCase(), st = cState.value;
    cCurrent = rows.filter(function (r) {
      if (st === "_gaps" && r.cells.every(function (c) { return c === "ok" || c === "not_applicable"; })) {
        return false;
      }
      if (st && st !== "_gaps" && r.cells.indexOf(st) === -1) { return false; }
      return !q || r.haystack.indexOf(q) !== -1;
    });
    cShown = PAGE;
    renderCoverage();
  }
  data.states.forEach(function (s) { option(cState, s, "has " + LABEL[s]); });
  cState.addEventListener("change", applyCoverage);
  var cTimer = null;
  cText.addEventListener("input", function () { clearTimeout(cTimer); cTimer = setTimeout(applyCoverage, 150); });
  cMore.addEventListener("click", function () { cShown += PAGE * 4; renderCoverage(); });

  // Print what is filtered, up to a bound that keeps the print dialog responsive.
  window.addEventListener("beforeprint", function () {
    shown = Math.max(shown, Math.min(current.length, 5000)); renderFindings();
    cShown = Math.max(cShown, Math.min(cCurrent.length, 5000)); renderCoverage();
  });

  // ------------------------------------------------------------------ shareable views
  // The filters live in the address as "#view:verdict=FAIL&q=churn&...", so a link opens the same
  // view. Values from the address only ever set control values; unknown values are ignored.
  var VIEW = [["verdict", fVer], ["severity", fSev], ["account", fAcc], ["region", fReg], ["sort", fSort],
    ["q", fText], ["cells", cState], ["cq", cText]];
  var restoring = true;
  function policyId() { return fPol.value ? data.policies[Number(fPol.value)].id : ""; }
  function saveView() {
    if (restoring) { return; }
    var parts = [];
    VIEW.forEach(function (v) {
      var def = v[1].tagName === "SELECT" ? v[1].options[0].value : "";  // the first option is the default
      if (v[1].value !== def) { parts.push(v[0] + "=" + encodeURIComponent(v[1].value)); }
    });
    if (fPol.value) { parts.push("policy=" + encodeURIComponent(policyId())); }
    if (chainRow >= 0) { parts.push("ep=" + encodeURIComponent(rows[chainRow].arn)); }
    try { history.replaceState(null, "", parts.length ? "#view:" + parts.join("&") : location.pathname); }
    catch (e) { /* some browsers refuse replaceState on file:// pages; the view still works */ }
  }
  function setControl(control, value) {
    for (var i = 0; i < control.options.length; i++) {
      if (control.options[i].value === value) { control.value = value; return; }
    }
  }
  function restoreView() {
    var hash = location.hash;
    if (hash.indexOf("#view:") !== 0) { return; }
    hash.slice(6).split("&").forEach(function (pair) {
      var k = pair.split("=")[0], v;
      try { v = decodeURIComponent(pair.slice(k.length + 1)); } catch (e) { return; }
      VIEW.forEach(function (entry) {
        if (entry[0] !== k) { return; }
        if (entry[1].tagName === "SELECT") { setControl(entry[1], v); } else { entry[1].value = v; }
      });
      if (k === "policy") {
        data.policies.forEach(function (p, i) { if (p.id === v) { fPol.value = String(i); } });
      }
      if (k === "ep") {
        rows.forEach(function (r, i) { if (r.arn === v) { setChain(i); } });
      }
    });
  }
  // Links inside the page (severity cards, the account/region table, matrix cells, "Fix these first")
  // are "#view:..." addresses: following one shows exactly that view of the findings.
  function resetView() {
    VIEW.forEach(function (v) { v[1].value = v[1].tagName === "SELECT" ? v[1].options[0].value : ""; });
    fPol.value = "";
    setChain(-1);
  }
  function followView() {
    restoring = true;
    resetView();
    restoreView();
    applyFindings();
    applyCoverage();
    restoring = false;
    document.getElementById("findings").scrollIntoView();
  }
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("#view:") === 0) { followView(); }
  });
  document.addEventListener("click", function (event) {
    // The same view again: the address does not change, so no hashchange comes; apply it anyway.
    var link = event.target.closest ? event.target.closest("a[href^='#view:']") : null;
    if (link && link.getAttribute("href") === location.hash) { event.preventDefault(); followView(); }
  });

  restoreView();
  applyFindings();
  applyCoverage();
  restoring = false;
  document.body.setAttribute("data-ready", "1");
})();
