// Draws report.html's charts (inlined by report.py) into SVG from the summary that report.py
// embeds as JSON in the element with id "summary" (schema mlos-e2e/1, docs/e2e.md).
// Each <figure data-chart="NAME"> gets one <svg>; every bar or point carries data-series="S" and a
// <title> with its figures, which browser_check.py counts against data-expected-series. Text from
// the summary only ever enters the page through textContent, never as markup.
"use strict";
(() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const COLORS = ["#3b6fd8", "#159a8c", "#d08a1e", "#8a4fd0", "#5b6b7f", "#c2508a", "#2f9e44"];
  const HEIGHT = 440;
  const summary = JSON.parse(document.getElementById("summary").textContent);

  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
  const positive = (value) => isNumber(value) && value > 0;
  // The objects of a list, skipping anything else a broken summary may hold.
  const list = (value) =>
      (Array.isArray(value) ? value.filter((item) => item && typeof item === "object") : []);

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, attributes) {
    const node = element("text", Object.assign({x, y}, attributes || {}), parent);
    node.textContent = content;
    return node;
  }

  function shorten(label, limit) {
    return label.length > limit ? label.slice(0, limit - 1) + "…" : label;
  }

  function formatMs(value) {
    if (!isNumber(value)) return "not measured";
    if (value < 1) return value.toFixed(3) + " ms";
    if (value < 100) return value.toPrecision(3) + " ms";
    return Math.round(value).toLocaleString("en-US") + " ms";
  }

  function formatSeconds(value) {
    if (!isNumber(value)) return "not measured";
    return value < 10 ? value.toPrecision(3) + " s" : value.toFixed(1) + " s";
  }

  function formatTick(value, unit) {
    if (unit === "ms") {
      if (value >= 1000) return value / 1000 + " s";
      if (value >= 1) return value + " ms";
      return value * 1000 + " µs";
    }
    if (unit === "s") return value >= 1 ? value + " s" : value * 1000 + " ms";
    return String(value);
  }

  // A log axis over whole decades that contains every value; returns map() and the decade ticks.
  function logScale(values, top, bottom, unit) {
    const low = Math.floor(Math.log10(Math.min(...values)));
    let high = Math.ceil(Math.log10(Math.max(...values)));
    if (high === low) high += 1;
    const map = (value) => bottom - ((Math.log10(value) - low) / (high - low)) * (bottom - top);
    const ticks = [];
    for (let exponent = low; exponent <= high; exponent++) {
      ticks.push({value: Number((10 ** exponent).toPrecision(1)), label: ""});
    }
    ticks.forEach((tick) => (tick.label = formatTick(tick.value, unit)));
    return {map, ticks, floor: bottom};
  }

  // A linear axis from 0 with about five round ticks.
  function linearScale(maximum, top, bottom) {
    const rough = maximum / 5;
    const magnitude = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((s) => s >= rough);
    const high = Math.ceil(maximum / step) * step;
    const map = (value) => bottom - (value / high) * (bottom - top);
    const ticks = [];
    for (let value = 0; value <= high + step / 2; value += step) ticks.push({value, label: ""});
    return {map, ticks, floor: bottom};
  }

  function newSvg(figure, width) {
    const body = figure.querySelector(".chart-body");
    const svg = element("svg", {width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`,
                                role: "img"}, body);
    return svg;
  }

  function drawYAxis(svg, scale, frame, title) {
    const axis = element("g", {class: "axis"}, svg);
    for (const tick of scale.ticks) {
      const y = scale.map(tick.value);
      element("line", {class: "grid", x1: frame.left, x2: frame.right, y1: y, y2: y}, axis);
      text(axis, frame.left - 6, y + 4, tick.label, {"text-anchor": "end"});
    }
    element("line", {class: "domain", x1: frame.left, x2: frame.left, y1: frame.top,
                     y2: frame.bottom}, axis);
    element("line", {class: "domain", x1: frame.left, x2: frame.right, y1: frame.bottom,
                     y2: frame.bottom}, axis);
    text(svg, 14, (frame.top + frame.bottom) / 2, title, {
      class: "axis-title", "text-anchor": "middle",
      transform: `rotate(-90 14 ${(frame.top + frame.bottom) / 2})`});
  }

  // One rotated label per group; a failed model's label is red and says so in its tooltip.
  function drawXLabels(svg, groups, frame, groupWidth) {
    const axis = element("g", {class: "axis"}, svg);
    groups.forEach((group, index) => {
      const x = frame.left + groupWidth * (index + 0.5);
      const y = frame.bottom + 12;
      const node = text(axis, x, y, shorten(group.label, 30), {
        "text-anchor": "end", transform: `rotate(-35 ${x} ${y})`,
        class: group.failed ? "failed" : ""});
      element("title", {}, node).textContent = group.label + (group.failed ? " (FAILED)" : "");
    });
  }

  function drawLegend(svg, entries, x, y) {
    const legend = element("g", {class: "legend"}, svg);
    let offset = x;
    for (const entry of entries) {
      element("rect", {x: offset, y: y - 10, width: 12, height: 12, rx: 2,
                       fill: entry.muted ? "none" : entry.color,
                       stroke: entry.muted ? "#9aa5b1" : entry.color}, legend);
      const label = text(legend, offset + 17, y, entry.label, {class: "label"});
      offset += 30 + label.getComputedTextLength();
    }
  }

  function emptyMessage(svg, width, message) {
    text(svg, width / 2, HEIGHT / 2, message, {class: "empty", "text-anchor": "middle"});
  }

  // Bars grouped by `groups` (labels) with one bar per series; values[group][series] in `unit`.
  function groupedBars(figure, options) {
    const width = Math.max(figure.querySelector(".chart-body").clientWidth, 600);
    const svg = newSvg(figure, width);
    const frame = {left: 78, right: width - 16, top: 34, bottom: HEIGHT - 130};
    const drawn = options.series.filter((series) =>
        options.groups.some((group) => positive(group.values[series.name])));
    drawLegend(svg, options.series.map((series) => ({
      label: series.label + (drawn.includes(series) ? "" : series.absentNote),
      color: series.color, muted: !drawn.includes(series)})), frame.left, 14);
    const all = options.groups.flatMap((group) =>
        drawn.flatMap((series) => [group.values[series.name], group.upper?.[series.name]]))
        .filter(positive);
    if (all.length === 0) {
      emptyMessage(svg, width, options.emptyMessage);
      return;
    }
    const scale = logScale(all, frame.top, frame.bottom, options.unit);
    drawYAxis(svg, scale, frame, options.axisTitle);
    const groupWidth = (frame.right - frame.left) / options.groups.length;
    const barWidth = Math.min(22, (groupWidth * 0.8) / drawn.length);
    const marks = element("g", {class: "marks"}, svg);
    options.groups.forEach((group, groupIndex) => {
      const start =
          frame.left + groupWidth * groupIndex + (groupWidth - barWidth * drawn.length) / 2;
      drawn.forEach((series, seriesIndex) => {
        const value = group.values[series.name];
        if (!positive(value)) return;
        const x = start + barWidth * seriesIndex;
        const y = scale.map(value);
        const bar = element("rect", {x, y, width: Math.max(barWidth - 1, 1),
                                     height: Math.max(scale.floor - y, 1), fill: series.color,
                                     "data-series": series.name}, marks);
        element("title", {}, bar).textContent = group.describe(series);
        const upper = group.upper?.[series.name];
        if (positive(upper) && upper > value) {
          const center = x + (barWidth - 1) / 2;
          element("line", {x1: center, x2: center, y1: y, y2: scale.map(upper),
                           stroke: "#1f2933", "stroke-width": 1}, marks);
          element("line", {x1: center - 3, x2: center + 3, y1: scale.map(upper),
                           y2: scale.map(upper), stroke: "#1f2933", "stroke-width": 1}, marks);
        }
      });
    });
    drawXLabels(svg, options.groups, frame, groupWidth);
  }

  function componentLabel(model, component) {
    const role = component.role;
    return String(model.name) + (role && role !== "single" ? " · " + role : "");
  }

  function drawLatency(figure) {
    const protocols = list(summary.protocols);
    const series = protocols.map((protocol, index) => ({
      name: protocol.name, label: String(protocol.label || protocol.name),
      color: COLORS[index % COLORS.length],
      absentNote: protocol.available === true ? " (no measurement)" : " (unavailable)"}));
    const groups = [];
    for (const model of list(summary.models)) {
      for (const component of list(model.components)) {
        const values = {}, upper = {}, entries = {};
        for (const entry of list(component.protocols)) {
          entries[entry.protocol] = entry;
          values[entry.protocol] = entry.client_ms ? entry.client_ms.p50 : null;
          upper[entry.protocol] = entry.client_ms ? entry.client_ms.p90 : null;
        }
        const label = componentLabel(model, component);
        groups.push({label, values, upper, failed: model.passed !== true, describe: (s) => {
          const entry = entries[s.name];
          return `${label} over ${s.label}: p50 ${formatMs(values[s.name])}, ` +
                 `p90 ${formatMs(upper[s.name])} (${entry.status})`;
        }});
      }
    }
    groupedBars(figure, {series, groups, unit: "ms", axisTitle: "client p50 (log scale)",
                         emptyMessage: "No client latency was measured."});
  }

  function drawPhases(figure) {
    const colors = {install: "#3b6fd8", register: "#d08a1e", "first-inference": "#159a8c"};
    const series = [
      {name: "install", label: "install (axon install)"},
      {name: "register", label: "register (axon register)"},
      {name: "first-inference", label: "first inference (all roles)"},
    ].map((s) => Object.assign(s, {color: colors[s.name], absentNote: " (not measured)"}));
    const groups = list(summary.models).map((model) => {
      const phases = model.phases_s || {};
      const firsts = list(model.components).map((c) => c.first_inference_ms).filter(isNumber);
      const values = {
        install: phases.install, register: phases.register,
        "first-inference": firsts.length ? firsts.reduce((a, b) => a + b, 0) / 1000 : null};
      const label = String(model.name);
      const describe = (s) => `${label}: ${s.label} ${formatSeconds(values[s.name])}`;
      return {label, values, describe, failed: model.passed !== true};
    });
    groupedBars(figure, {series, groups, unit: "s", axisTitle: "seconds (log scale)",
                         emptyMessage: "No phase time was measured."});
  }

  function drawMemory(figure) {
    const width = Math.max(figure.querySelector(".chart-body").clientWidth, 600);
    const svg = newSvg(figure, width);
    const frame = {left: 78, right: width - 16, top: 34, bottom: HEIGHT - 130};
    const mib = (bytes) => (positive(bytes) ? bytes / 1048576 : null);
    const models = list(summary.models);
    const server = summary.server || {};
    const references = [
      {label: "server at start", value: mib(server.rss_bytes_start), color: "#7b8794"},
      {label: "peak", value: mib(server.rss_bytes_peak), color: "#b42318"},
    ].filter((reference) => reference.value !== null);
    const legend = [{label: "RSS after the model", color: "#3b6fd8"}].concat(references.map(
        (reference) => ({label: `${reference.label} (${reference.value.toFixed(0)} MiB)`,
                         color: reference.color})));
    drawLegend(svg, legend, frame.left, 14);
    const values = models.map((model) => mib(model.server_rss_bytes));
    const all = values.concat(references.map((reference) => reference.value)).filter(positive);
    if (models.length === 0 || !values.some(positive)) {
      emptyMessage(svg, width, "No server memory was measured.");
      return;
    }
    const scale = linearScale(Math.max(...all) * 1.05, frame.top, frame.bottom);
    scale.ticks.forEach((tick) => (tick.label = tick.value.toLocaleString("en-US") + " MiB"));
    drawYAxis(svg, scale, frame, "server RSS (MiB)");
    const groupWidth = (frame.right - frame.left) / models.length;
    const barWidth = Math.min(40, groupWidth * 0.6);
    const marks = element("g", {class: "marks"}, svg);
    models.forEach((model, index) => {
      const value = values[index];
      const x = frame.left + groupWidth * index + (groupWidth - barWidth) / 2;
      if (value === null) {
        text(marks, x + barWidth / 2, frame.bottom - 6, "not measured",
             {class: "label", "text-anchor": "middle"});
        return;
      }
      const y = scale.map(value);
      const bar = element("rect", {x, y, width: barWidth, height: Math.max(scale.floor - y, 1),
                                   fill: "#3b6fd8", "data-series": "rss"}, marks);
      element("title", {}, bar).textContent = `${model.name}: ${value.toFixed(1)} MiB`;
    });
    for (const reference of references) {
      const y = scale.map(reference.value);
      element("line", {x1: frame.left, x2: frame.right, y1: y, y2: y, stroke: reference.color,
                       "stroke-dasharray": "6 4", "stroke-width": 1.5}, svg);
    }
    const labels =
        models.map((model) => ({label: String(model.name), failed: model.passed !== true}));
    drawXLabels(svg, labels, frame, groupWidth);
  }

  const drawers = {latency: drawLatency, memory: drawMemory, phases: drawPhases};
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    const draw = drawers[figure.getAttribute("data-chart")];
    if (draw) draw(figure);
  }
})();
