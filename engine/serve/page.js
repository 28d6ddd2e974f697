// linksim serve: the policy explorer's page. It builds its controls from
// /api/config (the key table's types, ranges, units and meanings), checks
// every change with /api/validate (the CLI's messages, shown beside the
// control they name), runs with /api/runs and follows the run's progress as
// server-sent events. What it drew is recorded in #serve-rendered for tests.
(function () {
  'use strict';
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
  // The results' side of the page (results.js): verdict, charts, runs, reports.
  const refresh = () => results.refresh();
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
    if (S.current !== null) await api(`api/runs/${S.current}/cancel`, {client});
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

  const results = window.linksimResults({S, $, el, api, client, rendered, record, setStatus});

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
      if (S.current !== null) {
        navigator.sendBeacon(`api/runs/${S.current}/cancel`, JSON.stringify({client}));
      }
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
