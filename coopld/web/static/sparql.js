/* The SPARQL query page: YASGUI (editor and results) against this server's /sparql, with the
 * project's example queries and prefixes.
 *
 * YASGUI is configured so that the page reaches no other host: no prefix.cc look-ups (prefixes
 * come from this server), no Linked Open Vocabularies completion of classes and properties, no
 * CORS proxy, no link shortener, and every tab queries this server's endpoint only.
 */
(function () {
  "use strict";

  var root = document.getElementById("yasgui");
  var plainForm = document.getElementById("plain-query");
  var exampleList = document.querySelector("#examples ul.examples");
  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;

  function getJSON(url, fallback) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      })
      .catch(function (error) {
        console.warn("coopld: could not load", url, error);
        return fallback;
      });
  }

  function defaultQuery(prefixes) {
    var coop = prefixes.coop || "https://w3id.org/coopld/ontology#";
    var rdfs = prefixes.rdfs || "http://www.w3.org/2000/01/rdf-schema#";
    return [
      "PREFIX coop: <" + coop + ">",
      "PREFIX rdfs: <" + rdfs + ">",
      "",
      "SELECT ?event ?label ?date WHERE {",
      "  ?event a coop:CooperationEvent ;",
      "         rdfs:label ?label .",
      "  OPTIONAL { ?event coop:date ?date }",
      "}",
      "ORDER BY ?date",
      "LIMIT 20",
    ].join("\n");
  }

  /* The results table's IRIs: those of this dataset point to w3id.org, so they are followed on
   * this server instead; and each gets its label beside it, asked of this server in one request
   * per drawn table (POST /sparql/labels.json), so a reader sees "To Lam" and not only
   * person:to-lam. Labels already fetched are kept for the page's life. */
  function resultLinks(links, labelsUrl) {
    var known = {};     // IRI -> label ("" when it has none)
    var waiting = {};   // IRI -> true, asked in the next request
    var timer = null;

    function rewrite(anchor) {
      var iri = anchor.getAttribute("href");
      if (!iri || anchor.dataset.iri) return;
      anchor.dataset.iri = iri;
      for (var i = 0; i < links.length; i++) {
        if (iri.indexOf(links[i].iri) === 0) {
          anchor.title = iri;
          anchor.setAttribute("href", links[i].path + iri.slice(links[i].iri.length));
          return;
        }
      }
    }
    function showLabel(anchor) {
      var label = known[anchor.dataset.iri];
      if (!label || anchor.dataset.labelled || label === anchor.textContent) return;
      anchor.dataset.labelled = "true";
      var span = document.createElement("span");
      span.className = "iri-label";
      span.textContent = label;
      anchor.after(" ", span);
    }
    function ask() {
      timer = null;
      var iris = Object.keys(waiting).slice(0, 1000);
      iris.forEach(function (iri) { delete waiting[iri]; known[iri] = known[iri] || ""; });
      if (!iris.length) return;
      fetch(labelsUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ iris: iris }),
      }).then(function (response) {
        if (!response.ok) throw new Error(labelsUrl + ": " + response.status);
        return response.json();
      }).then(function (found) {
        Object.keys(found).forEach(function (iri) { known[iri] = found[iri]; });
        root.querySelectorAll(".yasr_results a.iri").forEach(showLabel);
        root.dataset.labelled = String(Number(root.dataset.labelled || 0) + 1);
      }).catch(function (error) { console.warn("coopld: no labels for the results", error); });
      if (Object.keys(waiting).length && timer === null) timer = setTimeout(ask, 0);
    }
    function visit(anchor) {
      rewrite(anchor);
      if (!anchor.closest(".yasr_results") || anchor.closest("sup")) return;
      var iri = anchor.dataset.iri;
      if (known[iri] !== undefined) { showLabel(anchor); return; }
      waiting[iri] = true;
      if (timer === null) timer = setTimeout(ask, 30);
    }
    function scan(node) {
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      if (node.matches("a.iri")) visit(node);
      node.querySelectorAll("a.iri").forEach(visit);
    }
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) { mutation.addedNodes.forEach(scan); });
    }).observe(root, { childList: true, subtree: true });
    scan(root);
  }

  /* What YASGUI draws that assistive technology cannot name or expects otherwise (axe-core in
   * tests/test_browser_pages.py). Its "add a tab" button sits inside the tab list, where only
   * tabs belong (aria-required-children), and its arrow keys step through the list's children:
   * the button's wrapper moves just after the list, into a bar laid out as the list was, and
   * YASGUI (@zazuko/yasgui 4, whose TabList inserts each new tab before that wrapper, a private
   * field) is told there is none, so new tabs go at the list's end. Its editor's text box and
   * endpoint field have no label: each gets one, also in tabs opened later. */
  function accessibleControls(yasgui, yasguiRoot) {
    var list = yasguiRoot.querySelector(".tabsList");
    var add = list && list.querySelector(".addTab");
    if (add && yasgui.tabElements && yasgui.tabElements.addTabEl === add.parentNode) {
      var bar = document.createElement("div");
      bar.className = "tabBar";
      list.parentNode.insertBefore(bar, list);
      bar.append(list, add.parentNode);
      yasgui.tabElements.addTabEl = undefined;
    }
    function label() {
      yasguiRoot.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (box) {
        box.setAttribute("aria-label", "SPARQL query");
      });
      yasguiRoot.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (field) {
        field.setAttribute("aria-label", "SPARQL endpoint");
      });
    }
    new MutationObserver(label).observe(yasguiRoot, { childList: true, subtree: true });
    label();
  }

  function findTab(yasgui, name) {
    var tabs = yasgui._tabs;
    for (var id in tabs) {
      if (Object.prototype.hasOwnProperty.call(tabs, id) && tabs[id].getName() === name) return tabs[id];
    }
    return undefined;
  }

  function openExample(yasgui, example) {
    var tab = findTab(yasgui, example.id);
    if (tab) {
      yasgui.selectTabId(tab.getId());
      tab.setQuery(example.query);
    } else {
      tab = yasgui.addTab(true, { name: example.id, yasqe: { value: example.query }, requestConfig: { endpoint: endpoint } });
    }
    tab.setEndpoint(endpoint);
    var yasqe = tab.getYasqe();
    if (yasqe) yasqe.focus();
  }

  function showExamples(yasgui, examples) {
    exampleList.textContent = "";
    if (!examples.length) {
      var none = document.createElement("li");
      none.textContent = "No example queries are available.";
      exampleList.appendChild(none);
      return;
    }
    examples.forEach(function (example) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.dataset.example = example.id;
      button.title = example.description;
      var file = document.createElement("code");
      file.textContent = example.file;
      var name = document.createElement("span");
      name.textContent = example.name;
      button.append(file, " ", name);
      button.addEventListener("click", function () { openExample(yasgui, example); });
      item.appendChild(button);
      exampleList.appendChild(item);
    });
  }

  function start(examples, prefixes, links) {
    var Yasgui = window.Yasgui;
    // Only the completers that need no other site: prefixes (from this server) and the query's
    // own variables; the "class" and "property" completers ask lov.linkeddata.es.
    Yasgui.defaults.yasqe.autocompleters = ["prefixes", "variables"];
    Yasgui.defaults.endpointCatalogueOptions.getData = function () { return [{ endpoint: endpoint }]; };
    resultLinks(links, new URL(root.dataset.labels, window.location.href).href);
    // results read as values: IRIs as prefixed names without <>, literals without quotes and
    // datatype, and no cell cut short (a reader can still switch both back in the table's controls)
    var table = Yasgui.Yasr.defaults.plugins.table || (Yasgui.Yasr.defaults.plugins.table = { enabled: true });
    table.dynamicConfig = Object.assign({ compact: true, isEllipsed: false }, table.dynamicConfig || {});

    var yasgui = new Yasgui(root, {
      persistenceId: "coopld",
      tabName: "Query",
      copyEndpointOnNewTab: false,
      corsProxy: undefined,
      populateFromUrl: function (tab) {
        // a shared link may name another endpoint: this page only queries its own
        tab.requestConfig.endpoint = endpoint;
        return tab;
      },
      requestConfig: {
        endpoint: endpoint,
        method: "POST",
        acceptHeaderSelect: "application/sparql-results+json",
        acceptHeaderGraph: "text/turtle",
        acceptHeaderUpdate: "text/plain",
      },
      yasqe: {
        value: defaultQuery(prefixes),
        prefixCcApi: new URL(root.dataset.prefixes, window.location.href).href,
        createShortLink: undefined,
        editorHeight: "320px",
      },
      yasr: {
        prefixes: prefixes,
      },
    });
    // tabs kept from an earlier visit (maybe to another host or port) query this server too
    Object.keys(yasgui._tabs).forEach(function (id) {
      var tab = yasgui._tabs[id];
      if (tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
    });
    showExamples(yasgui, examples);
    accessibleControls(yasgui, root);
    root.dataset.ready = "true";
    window.coopldYasgui = yasgui;
  }

  if (typeof window.Yasgui !== "function") {
    document.getElementById("yasgui-missing").hidden = false;
    exampleList.closest("section").hidden = true;
    return;
  }
  plainForm.hidden = true;
  Promise.all([
    getJSON(exampleList.dataset.source, []),
    getJSON(root.dataset.prefixes, {}),
    getJSON(root.dataset.links, []),
  ]).then(function (loaded) {
    start(loaded[0], loaded[1], loaded[2]);
  }).catch(function (error) {
    console.error("coopld: the query editor did not start", error);
    root.dataset.ready = "failed";
    document.getElementById("yasgui-missing").hidden = false;
    plainForm.hidden = false;
  });
})();
