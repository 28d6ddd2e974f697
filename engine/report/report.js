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
  // Money is stored in fen; a chart shows it in bn, M, k or plain RMB after its largest value
  // (ASCII, so that the units read on a machine without CJK fonts).
  function moneyScale(values) {
    let max = 0;
    for (const v of values) if (v != null && isFinite(v)) max = Math.max(max, Math.abs(v));
    if (max >= 1e11) return {factor: 1e-11, unit: 'bn RMB', decimals: 2};
    if (max >= 1e8) return {factor: 1e-8, unit: 'M RMB', decimals: 1};
    if (max >= 1e6) return {factor: 1e-5, unit: 'k RMB', decimals: 1};
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

  // Chart.js draws its own text: the page's fonts, so that Chinese labels render.
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  // more: {log: a log y axis, offset: room around the first and last label,
  //        pointLegend: legend swatches in the datasets' point styles}.
  function chart(id, title, labels, datasets, scale, xTitle, more = {}) {
    const canvas = document.getElementById(id);
    const decimals = scale.decimals;
    // An interval reaching below zero around non-negative means is cut at zero on screen
    // (the data keeps it): GMV or merchants below zero are not a reading anyone needs.
    let minMean = Infinity, minAll = Infinity;
    for (const d of datasets) {
      if (d.yAxisID === 'y1') continue;  // the right axis starts at zero: amounts
      for (const v of d.data) {
        if (v == null) continue;
        minAll = Math.min(minAll, v);
        if (!d.band) minMean = Math.min(minMean, v);
      }
    }
    const yMin = minAll < 0 && minMean >= 0 ? 0 : undefined;
    const tick = (v) => v.toLocaleString('en-US', {maximumFractionDigits: 3});
    const scales = {
      x: {title: {display: !!xTitle, text: xTitle || ''}, offset: !!more.offset,
          ticks: {maxTicksLimit: 12, autoSkip: true, maxRotation: 0}},
      y: {type: more.log ? 'logarithmic' : 'linear', title: {display: true, text: scale.unit},
          min: more.y1 ? 0 : yMin, ticks: {callback: more.log ? logTick : tick}},
    };
    if (scale.unit === '%') {
      // A share's axis stops at 100%: no tick, and no room, above it.
      scales.y.afterBuildTicks = (ax) => {
        ax.ticks = ax.ticks.filter((t) => t.value <= 100);
        ax.max = Math.min(ax.max, 100);
      };
    }
    if (more.y1) {
      scales.y1 = {position: 'right', min: 0, grid: {drawOnChartArea: false}, ticks: {callback: tick},
                   title: {display: true, text: `Taobao, JD: ${more.y1.unit}`}};
    }
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
          legend: {labels: {filter: (item, data) => !data.datasets[item.datasetIndex].band,
                            usePointStyle: !!more.pointLegend}},
          tooltip: {
            filter: (item) => !item.dataset.band,
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ` +
                  (ctx.parsed.y == null ? 'n/a' :
                   ctx.dataset.yAxisID === 'y1' ?
                   `${grouped(ctx.parsed.y, more.y1.decimals)} ${more.y1.unit}` :
                   `${scale.format ? scale.format(ctx.parsed.y) : grouped(ctx.parsed.y, decimals)} ` +
                   scale.unit),
            },
          },
        },
        scales: scales,
      },
    });
    rendered.charts.push({id: id, title: title, factor: scale.factor, unit: scale.unit,
                          y_max: c.scales.y.max, right: more.y1 ? {factor: more.y1.factor, unit: more.y1.unit} : null,
                          datasets: datasets.map((d) => ({label: d.label, key: d.linksimKey,
                                                          axis: d.yAxisID || 'y',
                                                          factor: d.factor || scale.factor,
                                                          data: d.data}))});
    return c;
  }

  // A log axis labels 1, 2 and 5 times powers of ten only.
  function logTick(v) {
    const m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    const r = Math.round(m);
    return Math.abs(m - r) < 1e-6 && (r === 1 || r === 2 || r === 5) ?
        Number(v.toPrecision(1)).toString() : '';
  }

  // Runs: GMV by channel (one chart each), then one chart per series for all runs.
  // The union links' GMV is a few percent of the store's: on the store's scale its lines would
  // sit flat at zero, so it gets its own axis on the right, in its own scale.
  D.runs.forEach((r, i) => {
    const store = moneyScale(allValues([r.daily.gmv_store]));
    const external = ['gmv_taobao', 'gmv_jd'];
    const externalValues = allValues(external.map((c) => r.daily[c]));
    const right = externalValues.some((v) => v != null && v > 0) ? moneyScale(externalValues) : null;
    const sets = band(D.channel_labels.gmv_store, CHANNEL_COLORS.gmv_store, r.daily.gmv_store,
                      store.factor, {source: 'daily', run: i, column: 'gmv_store'});
    for (const c of external) {
      const s = right || store;
      sets.push(...band(D.channel_labels[c], CHANNEL_COLORS[c], r.daily[c], s.factor,
                        {source: 'daily', run: i, column: c})
                    .map((d) => Object.assign(d, right ? {yAxisID: 'y1', factor: s.factor} : {})));
    }
    const title = `GMV per day by channel: ${r.label}` +
        (right ? ' (Taobao and JD on the right axis)' : ' (no sales through union links)');
    chart(`gmv-${i}`, title, r.dates, sets, right ? Object.assign({}, store, {unit:
          `store: ${store.unit}`}) : store, 'date', right ? {y1: right} : {});
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

  // Sweeps: per headline metric, the paired difference to the first value of the first axis
  // (a line per value of the other axes, each against its own baseline), then the levels.
  D.sweeps.forEach((s, k) => {
    const first = s.axes[0];
    const groups = new Map();
    s.points.forEach((p) => {
      const rest = p.values.slice(1).map((v, a) => `${s.axes[a + 1].key}=${v}`).join(', ');
      if (!groups.has(rest)) groups.set(rest, []);
      groups.get(rest).push(p);
    });
    const base = `${first.key} = ${first.values[0]}`;
    D.headline.forEach((m) => {
      const stat = (points, field, end) => points.map((p) => {
        const x = p.metrics[m.name][field] || {};
        return x[end] == null ? null : x[end];
      });
      for (const diff of [true, false]) {
        const field = diff ? 'paired_difference' : null;
        const series = [];
        for (const [rest, points] of groups) {
          const pick = (end) => diff ? stat(points, field, end) :
              points.map((p) => p.metrics[m.name][end]);
          series.push({label: rest || s.name, points: points, mean: pick('mean'),
                       lo: pick('ci95_low'), hi: pick('ci95_high')});
        }
        const scale = unitScale(m.unit, allValues(series));
        if (diff && m.unit === 'share') scale.unit = 'pts';
        const sets = [];
        series.forEach((g, i) => sets.push(...band(g.label, COLORS[i % COLORS.length], g,
                                                   scale.factor,
                                                   {source: 'sweep', sweep: k, metric: m.name,
                                                    difference: diff,
                                                    points: g.points.map((p) => p.point)})));
        if (diff) {
          sets.push({label: 'no difference', data: first.values.map(() => 0), borderColor: '#888',
                     borderDash: [4, 4], borderWidth: 1, pointRadius: 0, fill: false,
                     linksimKey: {source: 'sweep', sweep: k, metric: m.name, stat: 'zero'}});
          chart(`sweep-${k}-${m.name}-diff`,
                `${m.name}: paired difference to ${base}` +
                    (groups.size > 1 ? ', the other axes as at each point' : '') + ' (95% band)',
                first.values, sets, scale, first.key);
        } else {
          chart(`sweep-${k}-${m.name}`, `${m.name} against ${first.key}`, first.values, sets,
                scale, first.key);
        }
      }
    });
  });

  // Whiskers for bars that carry errorLo and errorHi (scaled like the bars).
  const whiskers = {
    id: 'linksimWhiskers',
    afterDatasetsDraw(c) {
      const ctx = c.ctx;
      c.data.datasets.forEach((d, i) => {
        if (!d.errorLo || !c.isDatasetVisible(i)) return;
        c.getDatasetMeta(i).data.forEach((bar, j) => {
          const lo = d.errorLo[j], hi = d.errorHi[j];
          if (lo == null || hi == null) return;
          const a = c.scales.x.getPixelForValue(lo), b = c.scales.x.getPixelForValue(hi);
          const y = bar.y, cap = Math.max(3, bar.height / 3);
          ctx.save();
          ctx.strokeStyle = '#222';
          ctx.lineWidth = 1.3;
          ctx.beginPath();
          ctx.moveTo(a, y); ctx.lineTo(b, y);
          ctx.moveTo(a, y - cap); ctx.lineTo(a, y + cap);
          ctx.moveTo(b, y - cap); ctx.lineTo(b, y + cap);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  // Horizontal bars, one group per factor, in the order given.
  function barChart(id, title, labels, datasets, scale, xTitle) {
    let lo = 0, hi = 0;
    for (const d of datasets) {
      for (const v of [...d.data, ...(d.errorLo || []), ...(d.errorHi || [])]) {
        if (v != null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
    }
    const fmt = (v) => (v == null ? 'n/a' : grouped(v, scale.decimals));
    new Chart(document.getElementById(id), {
      type: 'bar',
      data: {labels: labels, datasets: datasets},
      plugins: [whiskers],
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          title: {display: true, text: title, font: {size: 15}},
          tooltip: {callbacks: {label: (ctx) => {
            const d = ctx.dataset, j = ctx.dataIndex;
            const ci = d.errorLo ? ` [${fmt(d.errorLo[j])}, ${fmt(d.errorHi[j])}]` : '';
            return `${d.label}: ${fmt(d.data[j])}${ci} ${scale.unit}`;
          }}},
        },
        scales: {
          x: {title: {display: true, text: xTitle}, suggestedMin: lo, suggestedMax: hi,
              ticks: {callback: (v) => v.toLocaleString('en-US', {maximumFractionDigits: 3})}},
          y: {ticks: {autoSkip: false}},
        },
      },
    });
    const sets = [];
    for (const d of datasets) {
      sets.push({label: d.label, key: Object.assign({stat: 'estimate'}, d.linksimKey), data: d.data});
      if (d.errorLo) {
        sets.push({label: d.label + ' (95% low)', key: Object.assign({stat: 'lo'}, d.linksimKey),
                   data: d.errorLo});
        sets.push({label: d.label + ' (95% high)', key: Object.assign({stat: 'hi'}, d.linksimKey),
                   data: d.errorHi});
      }
    }
    rendered.charts.push({id: id, title: title, factor: scale.factor, unit: scale.unit,
                          axis: xTitle, labels: labels, datasets: sets});
  }

  // The quantity at each design row against the top-ranked factor, with the zero line when it is
  // a paired difference (which side of zero it falls on is the answer).
  function designRows(id, m, paired, key) {
    const scale = unitScale(m.unit, m.rows.y);
    if (paired && m.unit === 'share') scale.unit = 'pts';
    const points = m.rows.x.map((x, j) => ({x: x, y: m.rows.y[j] == null ? null :
                                                 m.rows.y[j] * scale.factor}));
    const xs = m.rows.x.filter((x) => x != null);
    const sets = [{label: 'design rows', data: points, backgroundColor: rgba(COLORS[0], 0.5),
                   pointRadius: 3, linksimKey: Object.assign({source: 'design-rows',
                                                              metric: m.name}, key)}];
    if (paired) {
      sets.push({label: 'no difference', type: 'line', borderColor: '#888', borderDash: [4, 4],
                 borderWidth: 1, pointRadius: 0,
                 data: [{x: Math.min(...xs), y: 0}, {x: Math.max(...xs), y: 0}],
                 linksimKey: Object.assign({source: 'design-rows', metric: m.name, stat: 'zero'},
                                           key)});
    }
    const title = `${m.quantity} at each design row, against ${m.rows.key}`;
    new Chart(document.getElementById(id), {
      type: 'scatter',
      data: {datasets: sets},
      options: {animation: false, responsive: true, maintainAspectRatio: false,
                plugins: {title: {display: true, text: title, font: {size: 15}}},
                scales: {x: {title: {display: true, text: m.rows.key}},
                         y: {title: {display: true, text: scale.unit}}}},
    });
    rendered.charts.push({id: id, title: title, factor: scale.factor, unit: scale.unit,
                          datasets: sets.map((d) => ({label: d.label, key: d.linksimKey,
                                                      data: d.data}))});
  }

  // Sensitivity: per metric, the factors' indices in ranking order.
  D.sensitivities.forEach((s, k) => {
    const morris = s.method === 'morris';
    const indices = morris ?
        [{name: 'mu_star', label: 'mu* (mean |effect|)', color: '#1f77b4', whiskers: true},
         {name: 'sigma', label: 'σ (sd of the effects)', color: '#aaaaaa', whiskers: false}] :
        [{name: 'total', label: 'total index', color: '#1f77b4', whiskers: true},
         {name: 'first', label: 'first-order index', color: '#ff7f0e', whiskers: true}];
    s.metrics.forEach((m, i) => {
      if (!m.chart) return;
      const value = (f, index, end) => {
        const x = (m.factors[f] || {})[index] || {};
        if (end == null) return x.estimate;
        return Array.isArray(x.ci95) ? x.ci95[end] : null;
      };
      const all = [];
      for (const f of m.ranking) {
        for (const ix of indices) all.push(value(f, ix.name), value(f, ix.name, 0), value(f, ix.name, 1));
      }
      const scale = !morris ? {factor: 1, unit: 'fraction of the variance', decimals: 3} :
          m.unit === 'share' ? {factor: 100, unit: 'percentage points', decimals: 2} :
          unitScale(m.unit, all);
      const sets = indices.map((ix) => {
        const key = {source: 'sensitivity', analysis: k, metric: m.name, index: ix.name,
                     factors: m.ranking};
        const d = {label: ix.label, data: scaled(m.ranking.map((f) => value(f, ix.name)), scale.factor),
                   backgroundColor: rgba(ix.color, 0.75), borderColor: ix.color, borderWidth: 1,
                   linksimKey: key};
        if (ix.whiskers) {
          d.errorLo = scaled(m.ranking.map((f) => value(f, ix.name, 0)), scale.factor);
          d.errorHi = scaled(m.ranking.map((f) => value(f, ix.name, 1)), scale.factor);
        }
        return d;
      });
      const what = morris ? 'Morris effects on' : "Sobol' indices of";
      const axis = morris ? `effect across the factor's range, ${scale.unit} (whiskers: 95% interval)` :
          `${scale.unit} (whiskers: 95% interval)`;
      barChart(`sens-${k}-${i}`, `${what} ${m.quantity}`, m.ranking, sets, scale, axis);
      if (m.rows) designRows(`sens-${k}-${i}-rows`, m, s.compare !== '', {analysis: k});
    });
  });

  // Calibration: target against model per metric, then the loss per evaluation.
  D.calibrations.forEach((c, k) => {
    c.fits.forEach((f, i) => {
      const scale = unitScale(f.unit, [...f.target, ...f.model, ...f.lo, ...f.hi]);
      const key = {source: 'calibration', analysis: k, metric: f.metric, periods: f.periods};
      const sets = band('model', COLORS[0], {mean: f.model, lo: f.lo, hi: f.hi}, scale.factor, key);
      sets[2].pointRadius = 3;  // few periods: each one marked
      sets.unshift({label: 'target', data: scaled(f.target, scale.factor), showLine: false,
                    pointRadius: 4, pointStyle: 'rectRot', borderColor: COLORS[1],
                    backgroundColor: COLORS[1], linksimKey: Object.assign({stat: 'target'}, key)});
      chart(`calib-${k}-${i}`, `${f.metric}: target and model at the fitted values`, f.periods,
            sets, scale, 'period', {offset: true, pointLegend: true});
    });
    if (c.trace.loss.length === 0) return;
    const positive = [...c.trace.loss, ...c.trace.best].every((v) => v == null || v > 0);
    const key = {source: 'trace', analysis: k};
    const sets = [
      {label: 'loss', data: c.trace.loss, borderColor: '#aaaaaa', backgroundColor: '#aaaaaa',
       borderWidth: 1, pointRadius: 2, linksimKey: Object.assign({stat: 'loss'}, key)},
      {label: 'best so far', data: c.trace.best, borderColor: COLORS[0],
       backgroundColor: COLORS[0], borderWidth: 2, pointRadius: 0, stepped: true,
       linksimKey: Object.assign({stat: 'best'}, key)},
    ];
    chart(`calib-${k}-loss`, `Loss per evaluation (${positive ? 'log scale' : 'linear'})`,
          c.trace.evaluation, sets,
          {factor: 1, unit: 'loss', format: (v) => Number(v.toPrecision(3)).toString()},
          'evaluation', {log: positive});
  });

  // Posteriors (abc-smc): each key's weighted histogram, every pair's particles, the fit.
  D.posteriors.forEach((p, k) => {
    const bins = 20;
    const column = (j) => p.values.map((v) => v[j]);
    const fmt = (v) => Number(v.toPrecision(3)).toString();
    p.keys.forEach((key, j) => {
      const log = key.prior === 'log_uniform';
      const f = (v) => (log ? Math.log(v) : v);
      const lo = f(key.from), hi = f(key.to);
      const mass = new Array(bins).fill(0);
      column(j).forEach((v, i) => {
        const b = Math.min(bins - 1, Math.max(0, Math.floor((f(v) - lo) / (hi - lo) * bins)));
        mass[b] += p.weights[i];
      });
      const labels = mass.map((_, b) => {
        const mid = lo + (b + 0.5) * (hi - lo) / bins;
        return fmt(log ? Math.exp(mid) : mid);
      });
      const id = `post-${k}-marg-${j}`;
      const data = mass.map((m) => 100 * m);
      new Chart(document.getElementById(id), {
        type: 'bar',
        data: {labels: labels, datasets: [{label: 'posterior', data: data,
                                           backgroundColor: rgba(COLORS[0], 0.7)}]},
        options: {animation: false, responsive: true, maintainAspectRatio: false,
                  plugins: {title: {display: true, font: {size: 15},
                                    text: `${key.key}: posterior (prior ${key.prior} on the axis)`},
                            legend: {display: false}},
                  scales: {x: {title: {display: true, text: key.key + (log ? ' (log bins)' : '')}},
                           y: {title: {display: true, text: '% of the posterior'}, min: 0}}},
      });
      rendered.charts.push({id: id, title: key.key, factor: 1, unit: '%',
                            datasets: [{label: 'posterior', key: {source: 'posterior', analysis: k,
                                                                  key: j}, data: data}]});
    });
    p.keys.forEach((a, i) => p.keys.forEach((b, j) => {
      if (j <= i) return;
      const id = `post-${k}-pair-${i}-${j}`;
      const top = Math.max(...p.weights);
      const points = p.values.map((v) => ({x: v[i], y: v[j]}));
      new Chart(document.getElementById(id), {
        type: 'scatter',
        data: {datasets: [{label: 'particles', data: points,
                           pointRadius: p.weights.map((w) => 1.5 + 3.5 * Math.sqrt(w / top)),
                           backgroundColor: rgba(COLORS[0], 0.45)}]},
        options: {animation: false, responsive: true, maintainAspectRatio: false,
                  plugins: {title: {display: true, font: {size: 15},
                                    text: `${b.key} against ${a.key} (point size: weight)`},
                            legend: {display: false}},
                  scales: {x: {type: a.prior === 'log_uniform' ? 'logarithmic' : 'linear',
                               min: a.from, max: a.to, title: {display: true, text: a.key}},
                           y: {type: b.prior === 'log_uniform' ? 'logarithmic' : 'linear',
                               min: b.from, max: b.to, title: {display: true, text: b.key}}}},
      });
      rendered.charts.push({id: id, title: `${b.key} against ${a.key}`, factor: 1, unit: '',
                            datasets: [{label: 'particles', key: {source: 'pair', analysis: k,
                                                                  keys: [i, j]},
                                        data: points}]});
    }));
    p.fits.forEach((f, i) => {
      const scale = unitScale(f.unit, [...f.target, ...f.model, ...f.lo, ...f.hi]);
      const key = {source: 'posterior-fit', analysis: k, metric: f.metric, periods: f.periods};
      const sets = band('posterior predictive median', COLORS[0],
                        {mean: f.model, lo: f.lo, hi: f.hi}, scale.factor, key);
      sets[2].pointRadius = 3;
      sets.unshift({label: 'target', data: scaled(f.target, scale.factor), showLine: false,
                    pointRadius: 4, pointStyle: 'rectRot', borderColor: COLORS[1],
                    backgroundColor: COLORS[1], linksimKey: Object.assign({stat: 'target'}, key)});
      chart(`post-${k}-fit-${i}`, `${f.metric}: target and posterior predictive (90% band)`,
            f.periods, sets, scale, 'period', {offset: true, pointLegend: true});
    });
  });
  // Comparisons: the paired difference day by day, with its 95% band.
  (D.differences || []).forEach((d, k) => {
    [['gmv', 'GMV per day'], ['in_store_share', 'the store\'s share of GMV']].forEach(([m, what]) => {
      const s = d.series[m];
      const scale = unitScale(d.units[m], [...s.lo, ...s.hi]);
      if (d.units[m] === 'share') scale.unit = 'pts';
      const sets = band(`${d.scenario} − ${d.baseline}`, COLORS[1], s, scale.factor,
                        {source: 'difference', analysis: k, metric: m});
      sets.push({label: 'no difference', data: d.dates.map(() => 0), borderColor: '#888',
                 borderDash: [4, 4], borderWidth: 1, pointRadius: 0, fill: false,
                 linksimKey: {source: 'difference', analysis: k, metric: m, stat: 'zero'}});
      chart(`diff-${k}-${m}`, `${d.scenario} − ${d.baseline}: ${what} (paired, 95% band)`,
            d.dates, sets, scale, 'date');
    });
  });

  // Forecasts: each quarterly metric's posterior predictive median with its 50%
  // and 90% bands, per scenario, and the paired difference.
  function quantileBands(label, color, s, factor, key) {
    const common = {pointRadius: 0, borderWidth: 0, spanGaps: false, band: true};
    const edge = (stat, alpha, fill) => Object.assign(
        {label: `${label} (${stat})`, data: scaled(s[stat], factor), borderColor: rgba(color, 0),
         backgroundColor: rgba(color, alpha), fill: fill,
         linksimKey: Object.assign({stat: stat}, key)}, common);
    return [edge('q05', 0.12, false), edge('q95', 0.12, '-1'), edge('q25', 0.22, false),
            edge('q75', 0.22, '-1'),
            {label: label, data: scaled(s.median, factor), borderColor: color,
             backgroundColor: color, borderWidth: 1.5, pointRadius: 2, fill: false,
             linksimKey: Object.assign({stat: 'median'}, key)}];
  }
  const FORECAST_TITLES = {gmv_platform: 'GMV at platform scale, by quarter',
                           gmv_growth_yoy: 'GMV growth on the same quarter a year before',
                           in_store_share: 'the store\'s (快手小店) share of GMV'};
  (D.forecasts || []).forEach((f, k) => {
    const names = f.other ? [f.name, f.other] : [f.name];
    Object.keys(FORECAST_TITLES).forEach((m) => {
      const all = [];
      names.forEach((n) => all.push(...f.series[m][n].q05, ...f.series[m][n].q95));
      const scale = unitScale(f.units[m], all);
      const sets = [];
      names.forEach((n, i) => sets.push(...quantileBands(n, COLORS[i % COLORS.length],
                                                         f.series[m][n], scale.factor,
                                                         {source: 'forecast', analysis: k,
                                                          metric: m, series: n})));
      chart(`fc-${k}-${m}`, `${FORECAST_TITLES[m]}: median, 50% and 90% bands`, f.quarters,
            sets, scale, 'quarter', {offset: true});
    });
    if (!f.other) return;
    [['gmv_platform', 'GMV'], ['gmv_growth_yoy', 'year-on-year growth']].forEach(([m, what]) => {
      const d = f.series[m].difference;
      const scale = unitScale(f.units[m], [...d.q05, ...d.q95]);
      if (m === 'gmv_growth_yoy') scale.unit = 'pts';
      chart(`fc-${k}-diff-${m}`, `${f.other} − ${f.name}: ${what} (paired, 50% and 90% bands)`,
            f.quarters, quantileBands('difference', COLORS[2], d, scale.factor,
                                      {source: 'forecast', analysis: k, metric: m,
                                       series: 'difference'}),
            scale, 'quarter', {offset: true});
    });
  });

  // Every table's right edge against the window's: a table that does not fit is cut off.
  rendered.viewport = document.documentElement.clientWidth;
  rendered.tables = [...document.querySelectorAll('table')].map((t) => ({
    class: t.className, right: Math.ceil(t.getBoundingClientRect().right)}));
  out.textContent = JSON.stringify(rendered);
})();
