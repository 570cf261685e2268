/* The SPARQL workbench: YASGUI on this app's /sparql, with nothing fetched from elsewhere.
 *
 * YASGUI's defaults reach outside services from the browser: the prefix autocompleter reads
 * prefix.cc and the class/property autocompleters read LOV (lov.linkeddata.es). Here they are
 * replaced by completers over the app's own data (the project's prefixes and the ontology's
 * classes and properties, served as JSON; resource names from /search), the endpoint list
 * holds this endpoint only, and
 * nothing is kept in localStorage (a tab's query travels in its share link instead).
 *
 * The page passes its settings in <script type="application/json" id="workbench-config">:
 * endpoint, prefixesUrl, termsUrl, examples [{id, title, description, query, infer}],
 * selected (an example id or null), run (run the selected example at once), messages.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("workbench-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong)$/;

  /* -- Autocompletion from the app's data ------------------------------------------------- */

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then((response) => {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  let terms = null;
  function ontologyTerms(kind) {
    terms = terms || fetchJson(config.termsUrl);
    return terms.then((t) => t[kind]);
  }

  // The forks keep the original completers' triggers and IRI handling, with local data; with
  // persistenceId null they keep nothing in localStorage (stale lists, shared between sites).
  Yasqe.forkAutocompleter("prefixes", { name: "imt-prefixes", persistenceId: null });
  Yasqe.forkAutocompleter("class", {
    name: "imt-classes", bulk: true, persistenceId: null, get: () => ontologyTerms("classes"),
  });
  Yasqe.forkAutocompleter("property", {
    name: "imt-properties", bulk: true, persistenceId: null, get: () => ontologyTerms("properties"),
  });
  Yasqe.defaults.autocompleters = ["variables", "imt-prefixes", "imt-classes", "imt-properties"];
  Yasqe.defaults.prefixCcApi = config.prefixesUrl; // the prefixes completer's list, from this app

  // Resource names from this app's /search (same site): a plain word where a term may stand
  // (not a keyword, variable, prefixed name or IRI) is offered as the IRIs of the resources it
  // names, on Ctrl-Space (three letters at least).
  const searchUrl = new URL("search", endpoint);
  const WORD = /^[\p{L}][\p{L}\p{N}_-]*$/u;
  const KEYWORD = /^(select|construct|describe|ask|where|from|named|optional|union|minus|filter|bind|values|graph|service|distinct|reduced|order|group|by|having|limit|offset|prefix|base|as|asc|desc|not|exists|in|true|false|undef)$/i;
  const WORD_END = /(^|[\s{}(),;.])([\p{L}\p{N}_-]+)$/u;
  // The SPARQL mode reads a word starting with "a" as the keyword a then the rest ("ales":
  // "a", "les"); the word to look up and replace is the whole one before the cursor, and only
  // a plain word (not the end of a prefixed name, an IRI or a variable).
  function wholeWord(yasqe, token) {
    const cursor = yasqe.getDoc().getCursor();
    const before = yasqe.getDoc().getLine(cursor.line).slice(0, token.end);
    const found = before.match(WORD_END);
    if (!found) return Object.assign({}, token, { string: "", type: "none" });
    const start = token.end - found[2].length;
    return Object.assign({}, token, {
      start: start, string: found[2], type: null, from: { line: cursor.line, ch: start },
    });
  }

  Yasqe.registerAutocompleter({
    name: "imt-resources",
    bulk: false,
    autoShow: false,
    persistenceId: null,
    isValidCompletionPosition: (yasqe) => {
      const token = yasqe.getCompleteToken(); // "les" of "ales" is enough to tell
      return token.string.length >= 3 && WORD.test(token.string) && !KEYWORD.test(token.string);
    },
    preProcessToken: wholeWord,
    get: (yasqe, token) => {
      const url = new URL(searchUrl);
      url.searchParams.set("q", token.string);
      url.searchParams.set("limit", "10");
      return fetchJson(url.href).then((answer) => answer.results.map((r) => "<" + r.iri + ">"));
    },
  });
  Yasqe.defaults.autocompleters.push("imt-resources");

  /* -- A bar chart of a label column and a number column ---------------------------------- */

  const SVG = "http://www.w3.org/2000/svg";

  function svg(name, attributes, text) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function shortName(term, prefixes) {
    if (!term) return "";
    if (term.type !== "uri") return term.value;
    for (const [prefix, iri] of Object.entries(prefixes)) {
      if (term.value.startsWith(iri) && term.value.length > iri.length) {
        return prefix + ":" + term.value.slice(iri.length);
      }
    }
    return term.value;
  }

  class ChartPlugin {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5; // below the table, which stays the default view
      this.label = config.messages.chart;
    }

    columns() {
      const results = this.yasr.results;
      if (!results || !results.getVariables || !results.getBindings) return null;
      const variables = results.getVariables() || [];
      const rows = results.getBindings() || [];
      if (!rows.length || rows.length > 200) return null;
      const isNumber = (v) =>
        rows.every((row) => row[v] && row[v].type !== "uri" && NUMERIC.test(row[v].datatype || ""));
      const value = variables.find(isNumber);
      const label = variables.find((v) => v !== value && rows.some((row) => row[v]));
      return value && label ? { value, label, rows } : null;
    }

    canHandleResults() {
      return this.columns() !== null;
    }

    getIcon() {
      const icon = svg("svg", { viewBox: "0 0 16 16", width: "15", height: "15", "aria-hidden": "true" });
      for (const [y, w] of [[2, 12], [7, 8], [12, 5]]) {
        icon.appendChild(svg("rect", { x: "1", y: String(y), width: String(w), height: "3" }));
      }
      return icon;
    }

    draw() {
      const { value, label, rows } = this.columns();
      const prefixes = this.yasr.getPrefixes();
      const numbers = rows.map((row) => Number(row[value].value));
      const max = Math.max(...numbers, 0) || 1;
      const barHeight = 22;
      const labelWidth = 330;
      const width = 900;
      const chart = svg("svg", {
        class: "workbench-chart", role: "img", width: String(width),
        height: String(rows.length * barHeight + 30),
        "aria-label": `${value} by ${label}`,
      });
      chart.appendChild(svg("text", { x: String(labelWidth), y: "14", class: "axis" }, `?${value} by ?${label}`));
      rows.forEach((row, i) => {
        const y = 24 + i * barHeight;
        const barWidth = ((width - labelWidth - 80) * numbers[i]) / max;
        const name = shortName(row[label], prefixes);
        chart.appendChild(svg("text", { x: String(labelWidth - 8), y: String(y + 14), "text-anchor": "end" },
          name.length > 48 ? name.slice(0, 47) + "…" : name));
        chart.appendChild(svg("rect", { x: String(labelWidth), y: String(y + 3), width: String(Math.max(barWidth, 1)), height: String(barHeight - 6) }));
        chart.appendChild(svg("text", { x: String(labelWidth + barWidth + 6), y: String(y + 14) }, row[value].value));
      });
      this.yasr.resultsEl.appendChild(chart);
    }
  }

  Yasr.registerPlugin("chart", ChartPlugin);
  Yasr.defaults.pluginOrder = ["table", "chart", "response"];

  /* -- The workbench ----------------------------------------------------------------------- */

  Yasqe.defaults.value = config.newTabQuery;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: null,
    autoAddOnInit: false,
    copyEndpointOnNewTab: false,
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { persistenceId: null },
    yasr: { persistenceId: null, prefixes: config.prefixes },
  });

  const examples = new Map(config.examples.map((e) => [e.id, e]));
  const select = document.getElementById("example-select");
  const description = document.getElementById("example-description");
  const inferBox = document.getElementById("infer");
  const rawLinks = document.getElementById("raw-links");

  function inferArgs(infer) {
    return infer ? [] : [{ name: "infer", value: "false" }];
  }

  function tabInfers(tab) {
    const args = (tab && tab.getRequestConfig().args) || [];
    return !args.some((arg) => arg.name === "infer" && arg.value === "false");
  }

  function openExample(example, run) {
    const tab = yasgui.addTab(true, {
      name: example.title,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint, method: "POST", args: inferArgs(example.infer) },
    }, { avoidDuplicateTabs: true }); // choosing an open example again selects its tab
    showExample(example);
    syncControls();
    if (run) tab.query().catch(() => {});
    return tab;
  }

  function showExample(example) {
    description.textContent = example ? example.description : "";
    select.value = example ? example.id : "";
  }

  function syncControls() {
    const tab = yasgui.getTab();
    inferBox.checked = tabInfers(tab);
    rawLinks.replaceChildren();
  }

  function showRawLinks(tab) {
    rawLinks.replaceChildren(document.createTextNode(config.messages.rawResults + " "));
    for (const format of ["json", "csv", "tsv", "xml"]) {
      const url = new URL(endpoint);
      url.searchParams.set("query", tab.getQuery());
      url.searchParams.set("format", format);
      if (!tabInfers(tab)) url.searchParams.set("infer", "false");
      const link = document.createElement("a");
      link.href = url.href;
      link.textContent = format.toUpperCase();
      link.className = "raw-" + format;
      rawLinks.append(link, " ");
    }
  }

  select.addEventListener("change", () => {
    const example = examples.get(select.value);
    if (example) openExample(example, false);
  });
  inferBox.addEventListener("change", () => {
    const tab = yasgui.getTab();
    if (tab) tab.setRequestConfig({ args: inferArgs(inferBox.checked) });
  });
  yasgui.on("tabSelect", () => window.setTimeout(() => {
    const tab = yasgui.getTab();
    showExample(config.examples.find((e) => tab && e.title === tab.getName()));
    syncControls();
  }));
  yasgui.on("queryResponse", (_yasgui, tab) => showRawLinks(tab));

  // A share link (#query=...) opens its own tab; otherwise the selected or the first example.
  if (!yasgui.persistentConfig.getTabs().length) {
    const chosen = examples.get(config.selected) || config.examples[0];
    openExample(chosen, config.run && chosen.id === config.selected);
  } else {
    syncControls();
  }
})();
