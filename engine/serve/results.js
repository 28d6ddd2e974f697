// linksim serve: the results' side of the page (page.js is the controls'
// side): the verdict of the newest run, the paired difference over time of
// every run shown (Chart.js), the runs table with its downloads, and the
// shown runs' reports side by side. page.js calls linksimResults with the
// page's state and helpers and refresh() after every run.
'use strict';
window.linksimResults = function ({S, $, el, api, client, rendered, record, setStatus}) {
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2',
                  '#17becf'];

  function fmtMoney(fen) {
    const rmb = fen / 100, a = Math.abs(rmb);
    if (a >= 1e9) return (rmb / 1e9).toFixed(2) + ' bn';
    if (a >= 1e6) return (rmb / 1e6).toFixed(2) + ' M';
    if (a >= 1e3) return (rmb / 1e3).toFixed(1) + ' k';
    return rmb.toFixed(0);
  }
  function drawCharts() {
    const runs = S.runs.filter((r) => r.state === 'done' && S.shown.has(r.id));
    rendered.charts = [];
    for (const metric of ['gmv', 'in_store_share']) {
      const datasets = [];
      let labels = [];
      runs.forEach((r, i) => {
        const d = r.result.difference, s = d.series[metric];
        if (!s) return;
        labels = d.dates.length > labels.length ? d.dates : labels;
        const k = metric === 'gmv' ? 1 / 100 : 100;  // RMB, percentage points
        const c = COLORS[i % COLORS.length];
        const v = (a) => a.map((x) => (x === null ? null : x * k));
        datasets.push({label: `run ${r.id} lo`, data: v(s.lo), borderWidth: 0, pointRadius: 0,
                       borderColor: 'transparent', fill: false},
                      {label: `run ${r.id} hi`, data: v(s.hi), borderWidth: 0, pointRadius: 0,
                       borderColor: 'transparent', backgroundColor: c + '30', fill: '-1'},
                      {label: `run ${r.id}: ${r.label}`, data: v(s.mean), borderColor: c,
                       backgroundColor: c, borderWidth: 1.5, pointRadius: 0, fill: false});
      });
      const id = `diff-${metric}`, old = S.charts[id];
      if (old) old.destroy();
      S.charts[id] = new Chart($(id), {
        type: 'line', data: {labels, datasets},
        options: {animation: false, maintainAspectRatio: false, spanGaps: true,
                  plugins: {title: {display: true, text: metric === 'gmv'
                      ? 'GMV per day, difference (RMB)' : "Store's share of GMV, difference (pts)"},
                            legend: {labels: {filter: (l) => !/ (lo|hi)$/.test(l.text)}}},
                  scales: {x: {ticks: {maxTicksLimit: 8}},
                           y: {ticks: {callback: (v) => metric === 'gmv' ? fmtMoney(v * 100)
                                                                         : v.toFixed(2)}}}}});
      rendered.charts.push({id, datasets: datasets.length, points: labels.length});
    }
    record();
  }

  function drawVerdict(r) {
    const ul = $('verdict');
    ul.replaceChildren();
    $('verdict-label').textContent = r ? `run ${r.id}: ${r.result.scenario} against ` +
        `${r.result.baseline}, ${r.result.replications} paired replications` : '';
    rendered.verdict = [];
    for (const v of r ? r.result.verdict : []) {
      ul.append(el('li', {class: v.significant ? 'sig' : 'ns', text: v.text, title: v.doc}));
      rendered.verdict.push(v.text);
    }
  }

  function settingsText(r) {
    const st = r.settings, base = S.config.scenarios.find((s) => s.name === (st.scenario || ''));
    const parts = [`scale ${st.scale}`, `${st.replications} reps`, `seed ${st.seed}`];
    // The assumptions sent are those changed from the scenario's values.
    for (const [k, v] of Object.entries(st.assumptions || {})) parts.push(`${k}=${v}`);
    if (base && JSON.stringify(base.policy) !== JSON.stringify(st.policy)) {
      parts.push('policy edited');
    }
    if (st.upload) parts.push(`uploaded ${st.upload.name}`);
    return parts.join(', ');
  }
  function drawRuns() {
    const heads = ['show', 'run', 'scenarios', 'settings', 'state'];
    const first = S.runs.find((r) => r.state === 'done');
    const metrics = first ? first.result.verdict.map((v) => v.metric) : [];
    $('runs').tHead.replaceChildren(el('tr', {}, ...heads.concat(['files'], metrics).map(
        (h) => el('th', {text: h}))));
    const body = $('runs').tBodies[0];
    body.replaceChildren();
    for (const r of S.runs.slice().reverse()) {
      const tr = el('tr', {},
        el('td', {}, el('input', {type: 'checkbox', checked: S.shown.has(r.id),
                                  disabled: r.state !== 'done', onchange: (e) => {
          if (e.target.checked) S.shown.add(r.id); else S.shown.delete(r.id);
          drawCharts(); drawReports();
        }})),
        el('td', {text: String(r.id)}), el('td', {text: r.label}),
        el('td', {text: settingsText(r)}), el('td', {text: r.state}));
      const files = el('td');
      if (r.state === 'done') {
        const base = `api/runs/${r.id}/files/`;
        const links = [['report', 'report.html'], ['comparison.json', 'comparison.json'],
                       ['comparison.csv', 'comparison.csv'],
                       ['daily.csv', 'comparison_daily.csv']];
        r.result.folders.forEach((f, i) => links.push([`${i ? 'scenario' : 'baseline'}.yaml`,
                                                       `${f}/scenario.yaml`]));
        for (const [text, file] of links) {
          const href = base + file.split('/').map(encodeURIComponent).join('/');
          files.append(el('a', {href, target: '_blank', text}), ' ');
        }
        files.append(el('button', {type: 'button', text: 'Save…', onclick: () => save(r.id)}));
      }
      tr.append(files);
      for (const m of metrics) {
        const v = r.state === 'done' ? r.result.verdict.find((x) => x.metric === m) : null;
        tr.append(el('td', {text: v && v.difference ? v.difference : '',
                            style: v && v.significant ? 'font-weight:600' : undefined}));
      }
      body.append(tr);
    }
  }
  // The newest three shown runs' reports, oldest first. A report already
  // shown stays where it is (an iframe moved in the page would load again).
  function drawReports() {
    const box = $('reports');
    const want = S.runs.filter((r) => r.state === 'done' && S.shown.has(r.id)).slice(-3)
                     .map((r) => String(r.id));
    for (const f of [...box.children]) if (!want.includes(f.dataset.run)) f.remove();
    const have = new Set([...box.children].map((f) => f.dataset.run));
    for (const id of want) {
      if (have.has(id)) continue;
      const run = S.runs.find((r) => String(r.id) === id);
      const frame = el('div', {'data-run': id},
                       el('div', {class: 'hint', text: `Run ${id}: ${settingsText(run)}`}),
                       el('iframe', {title: `report of run ${id}`,
                                     src: `api/runs/${id}/files/report.html`}));
      const after = [...box.children].find((f) => Number(f.dataset.run) > Number(id));
      box.insertBefore(frame, after || null);
    }
  }
  async function save(id) {
    const folder = prompt('Save this run (compare files and report.html) to the folder:',
                          `out/serve-run-${id}`);
    if (!folder) return;
    const {status, json} = await api(`api/runs/${id}/save`, {folder, client});
    setStatus(status === 200 ? `Run ${id} saved to ${json.folder}.` : json.error);
  }
  async function refresh() {
    const {json} = await api(`api/runs?client=${encodeURIComponent(client)}`);
    S.runs = json;
    const done = S.runs.filter((r) => r.state === 'done');
    drawVerdict(done.length ? done[done.length - 1] : null);
    drawRuns();
    drawCharts();
    drawReports();
  }

  return {refresh};
};
