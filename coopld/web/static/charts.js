// The pictures of the landing page and of organization and country pages: a timeline of events
// and a cooperation network, drawn with Apache ECharts (served from this server) from the JSON
// the figure's data-source names (coopld/web/charts.py). Canvas rendering: no style attributes
// are written into the page, which the Content-Security-Policy forbids.
"use strict";

(function () {
  function onClickGo(chart) {
    chart.on("click", function (params) {
      if (params.data && params.data.href) { window.location.href = params.data.href; }
    });
  }

  function timeline(area, data) {
    var kinds = Array.from(new Set(data.events.map(function (e) { return e.kind; }))).sort();
    var chart = echarts.init(area, null, { renderer: "canvas" });
    chart.setOption({
      aria: { enabled: true, description: data.events.length + " events on a time axis, by kind of event" },
      grid: { left: 110, right: 20, top: 10, bottom: 40 },
      tooltip: { formatter: function (p) { return echarts.format.encodeHTML(p.data.when + " — " + p.data.label); } },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: kinds },
      series: [{
        type: "scatter", symbolSize: 12,
        data: data.events.map(function (e) {
          return { value: [e.date, e.kind], when: e.when, label: e.label, href: e.href };
        })
      }]
    });
    onClickGo(chart);
    return chart;
  }

  function network(area, data) {
    var chart = echarts.init(area, null, { renderer: "canvas" });
    var most = Math.max.apply(null, data.nodes.map(function (n) { return n.events; }).concat([1]));
    chart.setOption({
      aria: { enabled: true, description: data.nodes.length + " nodes linked by " + data.edges.length + " shared-event edges" },
      tooltip: {
        formatter: function (p) {
          var text = p.dataType === "edge" ? p.data.events + " shared event(s)" : p.data.name + ": " + p.data.events + " event(s)";
          return echarts.format.encodeHTML(text);
        }
      },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 220, edgeLength: [60, 160] },
        label: { show: true, position: "right", width: 160, overflow: "truncate" },
        data: data.nodes.map(function (n) {
          return { id: n.iri, name: n.label, href: n.href, events: n.events,
                   symbolSize: 10 + 24 * Math.sqrt(n.events / most),
                   itemStyle: n.focus ? { color: "#b03030" } : undefined };
        }),
        links: data.edges.map(function (e) {
          return { source: e.source, target: e.target, events: e.events, lineStyle: { width: Math.min(1 + e.events, 8) } };
        })
      }]
    });
    onClickGo(chart);
    return chart;
  }

  var draw = { timeline: timeline, network: network };
  var charts = [];
  document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
    var area = figure.querySelector(".chart-area");
    fetch(figure.dataset.source, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + r.statusText); } return r.json(); })
      .then(function (data) {
        var count = figure.querySelector(".chart-count");
        if (data.unplaced && data.unplaced.length && count) {
          count.textContent = data.unplaced.length + " event(s) without a date or a year are not on the axis.";
        }
        if ((data.events || data.nodes).length === 0) {
          area.textContent = "Nothing to draw.";
          area.classList.add("chart-empty");
          figure.dataset.drawn = "0";
          return;
        }
        charts.push(draw[figure.dataset.chart](area, data));
        figure.dataset.drawn = String((data.events || data.nodes).length);
      })
      .catch(function (error) {
        area.textContent = "The picture could not be drawn: " + error.message;
        figure.dataset.drawn = "error";
      });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
