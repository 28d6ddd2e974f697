// linksim report: draws the charts from the data block with Chart.js (inlined
// above), then records what was plotted in #linksim-rendered so that a test
// in a real browser can check it against the output files.
(function () {
  'use strict';
  const rendered = {status: 'ok', errors: [], charts: []};
  const out = document.getElementById('linksim-rendered');
  window.addEventListener('error', (e) => {
    rendered.status = 'error';
    rendered.errors.push(String(e.message));
    out.textContent = JSON.stringify(rendered);
  });
  const D = JSON.parse(document.getElementById('linksim-data').textContent);
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2',
                  '#17becf'];
  const CHANNEL_COLORS = {gmv_store: '#d62728', gmv_taobao: '#ff7f0e', gmv_jd: '#1f77b4'};

  function rgba(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }
  function grouped(v, decimals) {
    return v.toLocaleString('en-US', {minimumFractionDigits: decimals,
                                      maximumFractionDigits: decimals});
  }
  // Money is stored in fen; a chart shows it in 亿, 万 or plain RMB after its largest value.
  function moneyScale(values) {
    let max = 0;
    for (const v of values) if (v != null && isFinite(v)) max = Math.max(max, Math.abs(v));
    if (max >= 1e10) return {factor: 1e-10, unit: '亿 RMB', decimals: 2};
    if (max >= 1e6) return {factor: 1e-6, unit: '万 RMB', decimals: 1};
    return {factor: 1e-2, unit: 'RMB', decimals: 0};
  }
  function unitScale(unit, values) {
    if (unit === 'fen') return moneyScale(values);
    if (unit === 'share') return {factor: 100, unit: '%', decimals: 1};
    if (unit === 'days') return {factor: 1, unit: 'days', decimals: 1};
    return {factor: 1, unit: '', decimals: 0};
  }
  function scaled(values, factor) {
    return values.map((v) => (v == null || !isFinite(v) ? null : v * factor));
  }
  function allValues(series) {
    const all = [];
    for (const s of series) all.push(...s.mean, ...s.lo, ...s.hi);
    return all;
  }

  // A mean line with its 95% interval as a shaded band (lo, then hi filled down to lo).
  function band(label, color, s, factor, key) {
    const common = {pointRadius: 0, borderWidth: 0, spanGaps: false, band: true};
    return [
      Object.assign({label: label + ' (95% low)', data: scaled(s.lo, factor),
                     borderColor: rgba(color, 0), backgroundColor: rgba(color, 0.15),
                     fill: false, linksimKey: Object.assign({stat: 'lo'}, key)}, common),
      Object.assign({label: label + ' (95% high)', data: scaled(s.hi, factor),
                     borderColor: rgba(color, 0), backgroundColor: rgba(color, 0.15), fill: '-1',
                     linksimKey: Object.assign({stat: 'hi'}, key)}, common),
      {label: label, data: scaled(s.mean, factor), borderColor: color, backgroundColor: color,
       borderWidth: 1.5, pointRadius: 0, fill: false, linksimKey: Object.assign({stat: 'mean'}, key)},
    ];
  }

  function chart(id, title, labels, datasets, scale, xTitle) {
    const canvas = document.getElementById(id);
    const decimals = scale.decimals;
    // An interval reaching below zero around non-negative means is cut at zero on screen
    // (the data keeps it): GMV or merchants below zero are not a reading anyone needs.
    let minMean = Infinity, minAll = Infinity;
    for (const d of datasets) {
      for (const v of d.data) {
        if (v == null) continue;
        minAll = Math.min(minAll, v);
        if (!d.band) minMean = Math.min(minMean, v);
      }
    }
    const yMin = minAll < 0 && minMean >= 0 ? 0 : undefined;
    const c = new Chart(canvas, {
      type: 'line',
      data: {labels: labels, datasets: datasets},
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: 'index', intersect: false},
        plugins: {
          title: {display: true, text: title, font: {size: 15}},
          legend: {labels: {filter: (item, data) => !data.datasets[item.datasetIndex].band}},
          tooltip: {
            filter: (item) => !item.dataset.band,
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ` +
                  (ctx.parsed.y == null ? 'n/a' : `${grouped(ctx.parsed.y, decimals)} ${scale.unit}`),
            },
          },
        },
        scales: {
          x: {title: {display: !!xTitle, text: xTitle || ''},
              ticks: {maxTicksLimit: 12, autoSkip: true, maxRotation: 0}},
          y: {title: {display: true, text: scale.unit}, min: yMin,
              ticks: {callback: (v) => v.toLocaleString('en-US', {maximumFractionDigits: 3})}},
        },
      },
    });
    rendered.charts.push({id: id, factor: scale.factor, unit: scale.unit,
                          datasets: datasets.map((d) => ({label: d.label, key: d.linksimKey,
                                                          data: d.data}))});
    return c;
  }

  // Runs: GMV by channel (one chart each), then one chart per series for all runs.
  D.runs.forEach((r, i) => {
    const series = ['gmv_store', 'gmv_taobao', 'gmv_jd'].map((c) => r.daily[c]);
    const scale = moneyScale(allValues(series));
    const sets = [];
    for (const c of ['gmv_store', 'gmv_taobao', 'gmv_jd']) {
      sets.push(...band(D.channel_labels[c], CHANNEL_COLORS[c], r.daily[c], scale.factor,
                        {source: 'daily', run: i, column: c}));
    }
    chart(`gmv-${i}`, `GMV per day by channel: ${r.label}`, r.dates, sets, scale, 'date');
  });
  function perRun(id, title, source, column, unit, labelsOf) {
    const series = D.runs.map((r) => r[source][column]);
    const scale = unitScale(unit, allValues(series));
    const sets = [];
    D.runs.forEach((r, i) => sets.push(...band(r.label, COLORS[i % COLORS.length],
                                               r[source][column], scale.factor,
                                               {source: source, run: i, column: column})));
    chart(id, title, labelsOf(D.runs[0]), sets, scale, source === 'daily' ? 'date' : 'month joined');
  }
  if (D.runs.length > 0) {
    perRun('share', 'In-store share of daily GMV', 'daily', 'in_store_share', 'share', (r) => r.dates);
    perRun('merchants', 'Active merchants', 'daily', 'active_merchants', 'count', (r) => r.dates);
    perRun('retention', 'New merchants still active at the end of the next month, by month joined',
           'monthly', 'new_merchant_retention', 'share', (r) => r.months);
  }

  // Sweeps: each headline metric against the first axis, a line per value of the others.
  D.sweeps.forEach((s, k) => {
    const first = s.axes[0];
    const groups = new Map();
    s.points.forEach((p) => {
      const rest = p.values.slice(1).map((v, a) => `${s.axes[a + 1].key}=${v}`).join(', ');
      if (!groups.has(rest)) groups.set(rest, []);
      groups.get(rest).push(p);
    });
    D.headline.forEach((m) => {
      const series = [];
      for (const [rest, points] of groups) {
        series.push({label: rest || s.name, points: points,
                     mean: points.map((p) => p.metrics[m.name].mean),
                     lo: points.map((p) => p.metrics[m.name].ci95_low),
                     hi: points.map((p) => p.metrics[m.name].ci95_high)});
      }
      const scale = unitScale(m.unit, allValues(series));
      const sets = [];
      series.forEach((g, i) => sets.push(...band(g.label, COLORS[i % COLORS.length], g,
                                                 scale.factor,
                                                 {source: 'sweep', sweep: k, metric: m.name,
                                                  points: g.points.map((p) => p.point)})));
      chart(`sweep-${k}-${m.name}`, `${m.name} against ${first.key}`, first.values, sets, scale,
            first.key);
    });
  });
  out.textContent = JSON.stringify(rendered);
})();
