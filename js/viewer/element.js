// <etcd-backup-report>: renders an etcd-backup-policy report — one card per cluster (location,
// schedule, retention window, restore, token status) and its findings. Set `element.report` to a
// report object (from `evaluate`). Everything is rendered as text nodes: plan content is data,
// never markup.

const STYLE = `
:host { display: block; font: 14px/1.45 system-ui, sans-serif; color: #1d2430; }
.summary { margin: 0 0 12px; font-weight: 600; }
.summary.fail { color: #b42318; } .summary.pass { color: #067647; }
.cards { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.card { border: 1px solid #d0d5dd; border-radius: 8px; padding: 12px 14px; background: #fff; }
.card h3 { margin: 0 0 2px; font: 600 14px ui-monospace, monospace; word-break: break-all; }
.plan { color: #667085; font-size: 12px; margin-bottom: 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0 0 8px; }
dt { color: #667085; } dd { margin: 0; word-break: break-all; }
ul { list-style: none; padding: 0; margin: 0; }
li { border-left: 3px solid; padding: 4px 8px; margin-top: 6px; background: #f9fafb; }
li.deny { border-color: #d92d20; } li.warn { border-color: #f79009; }
.rule { font-weight: 600; } .fix { color: #475467; font-size: 13px; }
.ok { color: #067647; }
.errors { color: #b54708; margin-top: 12px; }
`;

function human(seconds) {
  if (seconds === null || seconds === undefined) return null;
  let s = Math.round(seconds);
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('') || '0s';
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export class EtcdBackupReport extends HTMLElement {
  #report = null;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }

  get report() {
    return this.#report;
  }

  set report(value) {
    this.#report = value;
    this.#render();
  }

  connectedCallback() {
    this.#render();
  }

  #render() {
    const root = this.shadowRoot;
    root.replaceChildren(el('style', {}, STYLE));
    const r = this.#report;
    if (!r) return;
    const s = r.summary;
    const failed = s.deny > 0;
    root.append(
      el('p', { class: `summary ${failed ? 'fail' : 'pass'}`, part: 'summary' },
        `${failed ? 'FAIL' : 'PASS'}: ${s.plans} plan(s), ${s.clusters} cluster(s): ${s.deny} deny, ${s.warn} warn`),
    );
    const cards = el('div', { class: 'cards' });
    for (const c of r.clusters) {
      const loc = c.location ? `${c.location.service} / ${c.location.bucket} / ${c.location.folder || '(bucket root)'}` : c.backup === 'configured' ? 'incomplete' : c.backup;
      const window = [human(c.window_s) && `${human(c.window_s)} local`, human(c.s3_window_s) && `${human(c.s3_window_s)} in S3`].filter(Boolean).join(', ') || '–';
      const restore = c.restore === null ? 'unknown' : c.restore ? 'on' : 'off';
      const dl = el('dl', {},
        el('dt', {}, 'location'), el('dd', { 'data-field': 'location' }, loc),
        el('dt', {}, 'schedule'), el('dd', { 'data-field': 'schedule' }, c.schedule ?? '–'),
        el('dt', {}, 'retention window'), el('dd', { 'data-field': 'window' }, window),
        el('dt', {}, 'restore'), el('dd', { 'data-field': 'restore' }, restore),
        el('dt', {}, 'token'), el('dd', { 'data-field': 'token' }, c.token.status));
      const findings = r.findings.filter((f) => f.cluster === c.address && f.plan === c.plan);
      const list = el('ul');
      for (const f of findings) {
        list.append(el('li', { class: f.severity },
          el('span', { class: 'rule' }, `${f.severity.toUpperCase()} ${f.rule} ${f.name}`), el('br'),
          f.message, el('br'),
          el('span', { class: 'fix' }, `fix: ${f.remediation}`)));
      }
      if (findings.length === 0) list.append(el('li', { class: 'ok' }, 'no finding'));
      cards.append(el('section', { class: 'card', part: 'card', 'data-cluster': c.address },
        el('h3', {}, c.address), el('div', { class: 'plan' }, `${c.plan} · ${c.action}`), dl, list));
    }
    root.append(cards);
    if (r.config_errors?.length) root.append(el('div', { class: 'errors' }, ...r.config_errors.map((e) => el('div', {}, e))));
  }
}

if (!customElements.get('etcd-backup-report')) customElements.define('etcd-backup-report', EtcdBackupReport);
