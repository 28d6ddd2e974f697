// linksim serve: the policy explorer's page. It builds its controls from
// /api/config (the key table's types, ranges, units and meanings), checks
// every change with /api/validate (the CLI's messages, shown beside the
// control they name), runs with /api/runs and follows the run's progress as
// server-sent events. What it drew is recorded in #serve-rendered for tests.
(function () {
  'use strict';
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2',
                  '#17becf'];
  const CHANNELS = ['taobao', 'jd'];
  const SURFACES = ['live', 'video', 'search'];
  const $ = (id) => document.getElementById(id);
  const client = sessionStorage.getItem('linksim-client') ||
                 (Math.random().toString(36).slice(2) + Date.now().toString(36));
  sessionStorage.setItem('linksim-client', client);
  const S = {config: null, upload: null, policy: [], values: {}, runs: [], shown: new Set(),
             current: null, events: null, charts: {}, checking: null};
  const rendered = {status: 'loading', errors: [], charts: [], verdict: []};
  window.addEventListener('error', (e) => {
    rendered.status = 'error';
    rendered.errors.push(String(e.message));
    record();
  });
  function record() { $('serve-rendered').textContent = JSON.stringify(rendered); }

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) e.append(c);
    return e;
  }
  async function api(path, body) {
    const init = body === undefined ? {} : {method: 'POST', body: JSON.stringify(body),
                                            headers: {'Content-Type': 'application/json'}};
    const res = await fetch(path, init);
    let json = null;
    try { json = await res.json(); } catch (e) { json = {error: res.statusText}; }
    return {status: res.status, json};
  }

  // ----- controls -----
  function tooltip(k) {
    return `${k.key}: ${k.doc}` + (k.unit ? ` [${k.unit}]` : '') + `; allowed ${k.range.text}` +
           (k.screened ? `; the sensitivity analysis screened ${k.screened[0]} to ${k.screened[1]}`
                       : '');
  }
  function numberInput(k, value, extra = {}) {
    const min = k.range.min, max = k.range.max;
    return el('input', {type: 'number', 'data-key': k.key, value: value, title: tooltip(k),
                        min: min === null || k.range.min_open ? undefined : min,
                        max: max === null ? undefined : max,
                        step: k.type === 'integer' ? 1 : 'any', onchange: check, ...extra});
  }
  function policyKey(path) { return S.config.policy_keys.find((k) => k.key === path); }

  function drawPolicy() {
    const box = $('policy');
    box.replaceChildren();
    S.policy.forEach((entry, i) => {
      const from = el('input', {class: 'date', 'data-key': `policy.${i}.from`, value: entry.from,
                                title: tooltip({...policyKey('from'), key: `policy.${i}.from`}),
                                onchange: (e) => { entry.from = e.target.value; check(); }});
      const remove = el('button', {type: 'button', text: 'Remove', onclick: () => {
        S.policy.splice(i, 1); drawPolicy(); check();
      }});
      const div = el('div', {class: 'entry'},
                     el('div', {class: 'row'}, el('label', {text: `Entry ${i + 1} from`}), from,
                        remove, el('div', {class: 'problem'})));
      for (const ch of CHANNELS) {
        const c = entry[ch] = entry[ch] || {};
        const grid = el('div', {class: 'ch'}, el('b', {text: ch}));
        for (const s of SURFACES) {
          const k = policyKey(`${ch}.${s}`);
          grid.append(el('label', {title: k ? tooltip({...k, key: `policy.${i}.${ch}.${s}`}) : ''},
                         el('input', {type: 'checkbox', 'data-key': `policy.${i}.${ch}.${s}`,
                                      checked: !!c[s], onchange: (e) => {
                                        c[s] = e.target.checked; check();
                                      }}), ` ${s}`));
        }
        const feeKey = policyKey(`${ch}.fee`), shareKey = policyKey(`${ch}.eligible_share`);
        const fee = numberInput({...feeKey, key: `policy.${i}.${ch}.fee`}, c.fee ?? 0,
                                {onchange: (e) => { c.fee = Number(e.target.value); check(); }});
        const on = el('select', {'data-key': `policy.${i}.${ch}.fee_on`, onchange: (e) => {
          c.fee_on = e.target.value; check();
        }}, el('option', {value: 'price', text: 'of price'}),
           el('option', {value: 'commission', text: 'of commission'}));
        on.value = c.fee_on || 'price';
        const share = numberInput({...shareKey, key: `policy.${i}.${ch}.eligible_share`},
                                  c.eligible_share ?? 1,
                                  {onchange: (e) => { c.eligible_share = Number(e.target.value); check(); }});
        grid.append(el('span', {class: 'money'}, 'fee ', fee, ' ', on, ', eligible share ', share));
        div.append(grid, el('div', {class: 'problem'}));
      }
      box.append(div);
    });
  }

  function drawAssumptions(values) {
    const box = $('assumptions');
    box.replaceChildren();
    for (const k of S.config.assumptions) {
      box.append(el('div', {class: 'row'},
                    el('label', {title: tooltip(k), text: k.key}),
                    numberInput(k, values[k.key]),
                    el('span', {class: 'hint', text: `${k.unit || ''} ${k.range.text}`}),
                    el('div', {class: 'problem'})));
    }
  }

  function drawSize(scenario) {
    const box = $('size');
    box.replaceChildren();
    const v = {'population.scale': S.config.defaults.scale,
               'replications': S.config.defaults.replications, 'seed': scenario.seed};
    for (const k of S.config.size_keys) {
      box.append(el('div', {class: 'row'}, el('label', {title: tooltip(k), text: k.key}),
                    numberInput(k, v[k.key], k.key === 'seed' ? {style: 'width: 130px'} : {}),
                    el('div', {class: 'problem'})));
    }
  }

  function fromScenario(name, policy, values, seed) {
    S.policy = JSON.parse(JSON.stringify(policy));
    S.values = values;
    if (seed !== undefined) document.querySelector('[data-key="seed"]').value = seed;
    drawPolicy();
    drawAssumptions(values);
    check();
  }

  // What the page asks for. An empty box is sent as null, which the server
  // refuses beside it: never a silent 0. Only the assumptions changed from the
  // edited scenario's values are sent (and set on both sides), so that an
  // unchanged page runs the two scenarios exactly as `linksim compare` would.
  function request() {
    const value = (key) => {
      const v = document.querySelector(`[data-key="${key}"]`).value.trim();
      return v === '' || !isFinite(Number(v)) ? null : Number(v);
    };
    const assumptions = {};
    for (const k of S.config.assumptions) {
      const v = value(k.key);
      if (v !== S.values[k.key]) assumptions[k.key] = v;
    }
    const body = {client, baseline: $('baseline').value, policy: S.policy, assumptions,
                  scale: value('population.scale'), replications: value('replications'),
                  seed: value('seed')};
    if (S.upload) body.upload = S.upload; else body.scenario = $('scenario').value;
    return body;
  }

  // ----- problems beside their controls -----
  function showProblems(problems) {
    document.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
    document.querySelectorAll('.problem').forEach((e) => { e.textContent = ''; });
    for (const p of problems) {
      // The most specific control the key names (policy.1.taobao.fee, then policy.1, ...).
      let key = p.key || '', target = null;
      while (key && !(target = document.querySelector(`[data-key="${key}"]`))) {
        key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
      }
      const where = p.side && p.side !== 'request' ? `${p.side}: ` : '';
      if (target) {
        target.classList.add('invalid');
        // Beside the control in its row; a policy entry's channel fields share
        // the entry's line, so the message names the field.
        const row = target.closest('.row');
        const slot = row ? row.querySelector('.problem')
                         : target.closest('.entry')?.querySelector('.problem');
        const text = where + (row ? '' : p.key.split('.').slice(2).join('.') + ': ') + p.message;
        if (slot) { slot.textContent += (slot.textContent ? ' ' : '') + text; continue; }
      }
      $('problems').append(el('li', {text: where + (p.text || p.message || p.error)}));
    }
  }
  // Checks the page's request; #serve-rendered's "checking" counts the checks
  // under way (a test waits for none before it reads the problems shown).
  async function check() {
    if (!S.config) return;
    const mine = S.checking = {};
    rendered.checking = (rendered.checking || 0) + 1;
    record();
    try {
      const {status, json} = await api('api/validate', request());
      if (mine !== S.checking) return;  // a later change is being checked
      showProblems(status === 200 ? [] : (json.problems || [{message: json.error}]));
    } finally {
      rendered.checking -= 1;
      record();
    }
  }

  // ----- runs -----
  function setStatus(text) { $('status').textContent = text; }
  async function run() {
    const {status, json} = await api('api/runs', request());
    if (status === 400) { showProblems(json.problems || [{message: json.error}]); return; }
    if (status !== 202) { setStatus(json.error || `refused (${status})`); return; }
    showProblems([]);
    follow(json);
  }
  function follow(st) {
    S.current = st.id;
    $('run').disabled = true;
    $('cancel').disabled = false;
    if (S.events) S.events.close();
    S.events = new EventSource(`api/runs/${st.id}/events`);
    S.events.addEventListener('status', (e) => progress(JSON.parse(e.data)));
    // The stream lost for good (the server stopped): say so and free the button.
    S.events.addEventListener('error', () => {
      if (S.events && S.events.readyState === EventSource.CLOSED) {
        S.events = null;
        S.current = null;
        $('run').disabled = false;
        $('cancel').disabled = true;
        setStatus(`Lost the connection to linksim serve during run ${st.id}.`);
      }
    });
  }
  function progress(st) {
    const p = st.progress;
    $('progress').value = st.state === 'done' ? 1 : p.fraction;
    if (st.state === 'queued') setStatus(`Run ${st.id} queued (${st.ahead} ahead).`);
    else if (st.state === 'running') {
      setStatus(`Run ${st.id}: ${(100 * p.fraction).toFixed(0)}%, scenario ${p.run + 1} of ` +
                `${p.runs}, replication ${p.replications_done} of ${p.replications_total}, ` +
                `${st.seconds.toFixed(1)} s`);
    } else {
      if (S.events) S.events.close();
      S.events = null;
      S.current = null;
      $('run').disabled = false;
      $('cancel').disabled = true;
      if (st.state === 'done') S.shown.add(st.id);
      // The status last, once the verdict, charts and table show the run.
      refresh().catch((e) => {
        rendered.status = 'error';
        rendered.errors.push(String(e));
        record();
      }).then(() => setStatus(
          st.state === 'done' ? `Run ${st.id} done in ${st.seconds.toFixed(1)} s.`
                              : `Run ${st.id} ${st.state}${st.error ? ': ' + st.error : ''}.`));
    }
  }
  async function cancel() {
    if (S.current !== null) await api(`api/runs/${S.current}/cancel`, {});
  }

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
    const {status, json} = await api(`api/runs/${id}/save`, {folder});
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

  async function download() {
    const {status, json: r} = await api('api/validate', request());
    if (status !== 200) {
      showProblems(r.problems || [{message: r.error}]);
      setStatus('Fix the problems first.');
      return;
    }
    const a = el('a', {href: URL.createObjectURL(new Blob([r.scenario], {type: 'text/yaml'})),
                       download: `${r.name}.yaml`});
    document.body.append(a);
    a.click();
    a.remove();
  }

  async function init() {
    const {json} = await api('api/config');
    S.config = json;
    for (const s of json.scenarios) {
      $('baseline').append(el('option', {value: s.name, text: s.name}));
      $('scenario').append(el('option', {value: s.name, text: s.name}));
    }
    const names = json.scenarios.map((s) => s.name);
    $('baseline').value = names.includes('closed_loop') ? 'closed_loop' : names[0];
    $('scenario').value = names.includes('open_links') ? 'open_links' : names[Math.min(1, names.length - 1)];
    const pick = () => json.scenarios.find((s) => s.name === $('scenario').value);
    drawSize(pick());
    fromScenario(pick().name, pick().policy, pick().values, pick().seed);
    $('baseline').addEventListener('change', check);
    $('scenario').addEventListener('change', () => {
      S.upload = null;
      $('upload').value = '';
      fromScenario(pick().name, pick().policy, pick().values, pick().seed);
    });
    $('upload').addEventListener('change', async (e) => {
      const f = e.target.files[0];
      if (!f) return;
      S.upload = {name: f.name, text: await f.text()};
      const body = request();
      delete body.policy;  // the file's own timeline and assumptions
      delete body.assumptions;
      const {status, json: r} = await api('api/validate', body);
      if (status !== 200) { showProblems(r.problems || [{message: r.error}]); return; }
      fromScenario(r.name, r.policy, r.values);
    });
    $('add-entry').addEventListener('click', () => {
      const last = S.policy[S.policy.length - 1] || {};
      S.policy.push(JSON.parse(JSON.stringify({...last, from: last.from || '2022-01-01'})));
      drawPolicy();
      check();
    });
    $('run').addEventListener('click', run);
    $('cancel').addEventListener('click', cancel);
    $('download').addEventListener('click', download);
    // A page that goes away stops its run (the server also notices the closed stream).
    window.addEventListener('pagehide', () => {
      if (S.current !== null) navigator.sendBeacon(`api/runs/${S.current}/cancel`, '{}');
    });
    await refresh();
    rendered.status = 'ok';
    record();
  }
  init().catch((e) => {
    rendered.status = 'error';
    rendered.errors.push(String(e));
    record();
    setStatus('Could not load: ' + e);
  });
})();
