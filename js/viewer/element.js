// <etcd-backup-report>: renders an etcd-backup-policy report — a picture of the fleet (clusters on
// the left, backup locations on the right, an edge per cluster, collisions and overlaps in red,
// restore-on clusters marked), then one card per cluster (location, schedule, retention window,
// restore, token status, its findings, and where each value came from). Set `element.report` to
// a report object (from `evaluate`). Everything is rendered as text nodes: plan content is data,
// never markup.

const STYLE = `
:host { display: block; font: 14px/1.45 system-ui, sans-serif; color: #1d2430; }
.summary { margin: 0 0 12px; font-weight: 600; }
.summary.fail { color: #b42318; } .summary.pass { color: #067647; } .summary.incomplete { color: #b54708; }
.cards { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.card { border: 1px solid #d0d5dd; border-radius: 8px; padding: 12px 14px; background: #fff; }
.card h3 { margin: 0 0 2px; font: 600 14px ui-monospace, monospace; overflow-wrap: anywhere; }
.card { min-width: 0; overflow-wrap: anywhere; content-visibility: auto; contain-intrinsic-size: auto 300px; }
.plan { color: #667085; font-size: 12px; margin-bottom: 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0 0 8px; }
dt { color: #667085; } dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
ul { list-style: none; padding: 0; margin: 0; }
li { border-left: 3px solid; padding: 4px 8px; margin-top: 6px; background: #f9fafb; }
li.deny { border-color: #d92d20; } li.warn { border-color: #b54708; }
.rule { font-weight: 600; } .fix { color: #475467; font-size: 13px; }
.ok { color: #067647; }
.errors { color: #b54708; margin-top: 12px; }
.fleet-wrap { overflow-x: auto; margin: 0 0 16px; }
.fleet { width: 100%; height: auto; border: 1px solid #d0d5dd; border-radius: 8px; background: #fcfcfd; }
/* Narrower than the picture: drawn at its own size (12 px text) and scrolled on its own. */
@media (max-width: 920px) { .fleet { width: 900px; } }
.triage h2 { font-size: 15px; margin: 0 0 6px; }
.triage ul { margin: 0 0 12px; } .triage li { background: none; border-left: 0; padding: 2px 0; overflow-wrap: anywhere; }
.triage .conflicts .loc { color: #b42318; font-weight: 600; }
.triage button { font: 13px ui-monospace, monospace; background: none; border: 0; padding: 0; color: #175cd3; text-decoration: underline; cursor: pointer; text-align: left; }
.triage .filter { display: block; margin: 0 0 12px; }
.leaving { display: none; }
.only-failing .card:not(.failing), .only-failing .fleet .row:not(.failing) { display: none; }
.fleet text { font: 12px ui-monospace, monospace; fill: #1d2430; }
.fleet .edge { stroke: #667085; stroke-width: 1.5; fill: none; }
.fleet a:focus-visible text, .fleet a:hover text { text-decoration: underline; fill: #175cd3; }
.fleet a:focus { outline: none; } .fleet a:focus-visible circle { stroke: #175cd3; stroke-width: 3; }
.card:focus { outline: 3px solid #2e90fa; outline-offset: 2px; }
.fleet .edge.conflict { stroke: #d92d20; stroke-width: 2.5; }
.fleet .node { fill: #fff; stroke: #667085; }
.fleet .node.restore { fill: #2e90fa; stroke: #175cd3; }
.fleet .loc.conflict { fill: #d92d20; }
.fleet .legend { fill: #475467; }
details.values { margin-top: 8px; } details.values summary { cursor: pointer; color: #475467; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin-top: 4px; }
td, th { text-align: left; padding: 2px 6px 2px 0; vertical-align: top; overflow-wrap: anywhere; }
th { color: #667085; font-weight: 500; }
`;

const SVG = 'http://www.w3.org/2000/svg';
// Above this many clusters the picture draws only those with a conflict or a denial.
const MAX_DRAWN = 500;
// The lists above the picture name at most this many entries each.
const MAX_LISTED = 200;
// Findings that mean two clusters' locations meet.
const CONFLICTS = new Set(['EB201', 'EB202', 'EB203']);

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// In the plan-review page (`place="page"`), fixes and notes name the page's own inputs rather
// than the command line's options.
const PAGE_WORDS = [
  [/run the check with --config pointing at the root module's directory \(the \.tf files\)/g, 'add the Terraform directory (its .tf files) with the directory input above'],
  [/give the Terraform configuration \(--config DIR\)/g, 'add the Terraform directory'],
  [/--config DIR \(the Terraform directory\) would evaluate it/g, 'the Terraform directory would evaluate it: add it with the directory input above'],
  [/run terraform init in DIR first: --config reads what it downloaded/g, 'run terraform init in the directory first: the page reads what it downloaded'],
  [/run the check with --config/g, 'add the Terraform directory above'],
  [/pass it with --data/g, 'add it with the data document input above'],
  [/--config DIR|--config/g, 'the Terraform directory'],
  [/--data/g, 'the data document'],
];
const forPage = (text) => PAGE_WORDS.reduce((t, [re, to]) => t.replace(re, to), text);

const short = (s, n = 44) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const locationKey = (l) => `${l.service}/${l.bucket}/${l.folder}`;
// As the card says it: the bucket root is "(bucket root)" in the picture and the lists too.
const locationLabel = (l) => `${l.service} / ${l.bucket} / ${l.folder || '(bucket root)'}`;
const segments = (l) => (l.folder ? l.folder.split('/') : []);

/**
 * The backup locations in picture order: grouped by service and bucket, each folder after the
 * folders that contain it (`prod` ⊃ `prod/west`; the bucket root contains them all), with how
 * many of the others contain it (its indent).
 */
function orderedLocations(clusters) {
  const byKey = new Map();
  for (const c of clusters) if (c.location) byKey.set(locationKey(c.location), c.location);
  const cmp = (a, b) => {
    for (const k of ['service', 'bucket']) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
    const [x, y] = [segments(a), segments(b)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  };
  const all = [...byKey.values()].sort(cmp);
  const contains = (outer, inner) => outer.service === inner.service && outer.bucket === inner.bucket
    && segments(outer).length < segments(inner).length && segments(outer).every((s, i) => s === segments(inner)[i]);
  return all.map((l) => ({ key: locationKey(l), location: l, depth: all.filter((o) => contains(o, l)).length }));
}

/** The fleet as a picture: one node per cluster, one per location, an edge per cluster. */
function fleetPicture(r, conflicted, failing) {
  // A big fleet's picture shows the clusters that need a look (a conflict or a denial): ten
  // thousand rows would be a picture nobody reads, and slow to draw. Their cards are all there.
  const big = r.clusters.length > MAX_DRAWN;
  const drawn = r.clusters.map((c, index) => ({ c, index }))
    .filter(({ c }) => !big || conflicted.has(`${c.plan}\u0000${c.address}`) || failing.has(`${c.plan}\u0000${c.address}`));
  const locations = orderedLocations(drawn.map(({ c }) => c));
  const order = new Map(locations.map((l, i) => [l.key, i]));
  // Clusters next to their locations: in the locations' order, those without one last.
  const rows = drawn.sort((a, b) => {
    const [x, y] = [a.c.location ? order.get(locationKey(a.c.location)) : Infinity, b.c.location ? order.get(locationKey(b.c.location)) : Infinity];
    return x === y ? a.index - b.index : x - y;
  });
  const row = 26;
  const height = Math.max(rows.length, 1) * row + 40;
  const pic = svg('svg', { class: 'fleet', viewBox: `0 0 900 ${height}`, role: 'img', part: 'fleet', 'aria-label': `fleet: ${rows.length} cluster(s) writing to ${locations.length} backup location(s)` });
  pic.append(svg('title', {}, 'Which cluster writes its snapshots where'));
  if (big) pic.append(svg('text', { x: 10, y: height - 8, class: 'legend' }, `${r.clusters.length - rows.length} of ${r.clusters.length} clusters, without a conflict or a denial, are not drawn: see their cards`));
  pic.append(svg('text', { x: 10, y: 16, class: 'legend' }, 'clusters (● restore on)'), svg('text', { x: 540, y: 16, class: 'legend' }, 'locations (red: shared; └ inside the one above)'));
  const y = (i) => 36 + i * row;
  // Each location level with the first of its clusters (they are drawn one after the other).
  const locY = new Map();
  rows.forEach(({ c }, i) => {
    if (c.location && !locY.has(locationKey(c.location))) locY.set(locationKey(c.location), y(i));
  });
  const locConflict = new Set();
  rows.forEach(({ c, index }, i) => {
    const id = `${c.plan}\u0000${c.address}`;
    const conflict = conflicted.has(id);
    const cls = `row${failing.has(id) ? ' failing' : ''}`;
    if (c.location) {
      const key = locationKey(c.location);
      if (conflict) locConflict.add(key);
      const path = `M 400 ${y(i) - 4} C 470 ${y(i) - 4}, 460 ${locY.get(key) - 4}, 530 ${locY.get(key) - 4}`;
      const edge = svg('path', { d: path, class: `edge ${cls}${conflict ? ' conflict' : ''}`, 'data-cluster': c.address, 'data-plan': c.plan, 'data-location': key });
      edge.append(svg('title', {}, `${c.address} → ${locationLabel(c.location)}${conflict ? ' (shared or overlapping)' : ''}`));
      pic.append(edge);
    }
    const restore = c.restore !== false && c.action !== 'delete';
    const about = `${c.address} (${c.plan}): ${c.action}, restore ${c.restore === null ? 'unknown (counts as on)' : c.restore ? 'on' : 'off'}${c.location ? `, writes to ${locationLabel(c.location)}` : ''}${conflict ? ' (shared or overlapping)' : ''}`;
    // A link to the cluster's card: reachable with Tab, its description read without a mouse.
    const link = svg('a', { href: `#card-${index}`, class: cls, 'data-card': `card-${index}`, 'aria-label': `${about}; go to its card` });
    link.append(svg('circle', { cx: 398, cy: y(i) - 4, r: 5, class: `node${restore ? ' restore' : ''}` }));
    const label = svg('text', { x: 390, y: y(i), 'text-anchor': 'end', 'data-cluster': c.address }, short(`${c.address}${r.summary.plans > 1 ? ` (${c.plan})` : ''}`));
    label.append(svg('title', {}, about));
    link.append(label);
    pic.append(link);
  });
  for (const { key, location, depth } of locations) {
    const ly = locY.get(key);
    const x = 542 + depth * 14;
    pic.append(svg('circle', { cx: 532, cy: ly - 4, r: 5, class: `node loc${locConflict.has(key) ? ' conflict' : ''}` }));
    const text = depth > 0 ? `└ ${location.folder}` : locationLabel(location);
    const label = svg('text', { x, y: ly, 'data-location': key }, short(text, 50 - depth * 2));
    label.append(svg('title', {}, locationLabel(location)));
    pic.append(label);
  }
  return pic;
}

/**
 * What a reviewer looks at first: the shared or overlapping locations with their clusters, then
 * the failing clusters, each a button to its card, and a filter for failing clusters only.
 */
function triage(r, conflicted, failing) {
  const indexOf = new Map(r.clusters.map((c, i) => [c, i]));
  const cardButton = (c) => el('button', { type: 'button', 'data-card': `card-${indexOf.get(c)}` }, `${c.address}${r.summary.plans > 1 ? ` (${c.plan})` : ''}`);
  const more = (n) => el('li', { class: 'more' }, `… and ${n} more (the cards below have them all)`);
  const byLocation = new Map();
  for (const c of r.clusters) {
    if (!c.location || !conflicted.has(`${c.plan}\u0000${c.address}`)) continue;
    const k = locationKey(c.location);
    if (!byLocation.has(k)) byLocation.set(k, []);
    byLocation.get(k).push(c);
  }
  const section = el('section', { class: 'triage', part: 'triage' });
  if (byLocation.size) {
    const list = el('ul', { class: 'conflicts' });
    let listed = 0;
    for (const { key, location, depth } of orderedLocations(r.clusters)) {
      const cs = byLocation.get(key);
      if (!cs) continue;
      if (++listed > MAX_LISTED) {
        list.append(more(byLocation.size - MAX_LISTED));
        break;
      }
      list.append(el('li', { 'data-location': key, style: `margin-left: ${depth * 16}px` },
        el('span', { class: 'loc' }, depth > 0 ? `└ ${locationLabel(location)}` : locationLabel(location)), ': ', ...cs.flatMap((c, i) => (i ? [', ', cardButton(c)] : [cardButton(c)]))));
    }
    section.append(el('h2', {}, `Shared or overlapping backup locations (${byLocation.size})`), list);
  }
  const failed = r.clusters.filter((c) => failing.has(`${c.plan}\u0000${c.address}`));
  if (failed.length) {
    const list = el('ul', { class: 'failing' });
    const denied = new Map();
    for (const f of r.findings) {
      if (f.severity !== 'deny') continue;
      const k = `${f.plan}\u0000${f.cluster}`;
      if (!denied.has(k)) denied.set(k, new Set());
      denied.get(k).add(f.rule);
    }
    for (const c of failed.slice(0, MAX_LISTED)) {
      list.append(el('li', {}, cardButton(c), ` ${[...denied.get(`${c.plan}\u0000${c.address}`)].join(', ')}`));
    }
    if (failed.length > MAX_LISTED) list.append(more(failed.length - MAX_LISTED));
    const filter = el('input', { type: 'checkbox', class: 'only-failing' });
    section.append(el('h2', {}, `Failing clusters (${failed.length} of ${r.clusters.length})`), list,
      el('label', { class: 'filter' }, filter, ' show failing clusters only'));
  }
  return section.childNodes.length ? section : null;
}

/** Each key's value (or `(sensitive)`/`(unknown)`) and where it came from. */
function valuesTable(c) {
  const rows = Object.entries(c.keys ?? {}).map(([k, v]) => {
    const value = v.value ?? (v.sensitive ? '(sensitive)' : v.unknown ? '(unknown)' : '–');
    return el('tr', {}, el('td', {}, k), el('td', { 'data-value': k }, value), el('td', { 'data-from': k }, v.from ?? v.source));
  });
  if (c.token?.from) rows.push(el('tr', {}, el('td', {}, 'cluster_token'), el('td', {}, '(sensitive)'), el('td', { 'data-from': 'cluster_token' }, c.token.from)));
  if (rows.length === 0) return null;
  return el('details', { class: 'values' }, el('summary', {}, 'values and where they came from'),
    el('table', {}, el('tr', {}, el('th', {}, 'key'), el('th', {}, 'value'), el('th', {}, 'from')), ...rows));
}

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

/** Removes a hidden subtree over several tasks, each under a frame's budget. */
function dismantle(node) {
  const until = performance.now() + 12;
  while (performance.now() < until) {
    let n = node;
    while (n.lastChild?.lastChild) n = n.lastChild; // the deepest last branch: small removals
    if (n === node && !node.lastChild) {
      node.remove();
      return;
    }
    (n === node ? node.lastChild : n).remove();
  }
  setTimeout(() => dismantle(node));
}

export class EtcdBackupReport extends HTMLElement {
  #report = null;
  // Which render is current: a slice of an older one stops when it sees another.
  #renders = 0;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }

  get report() {
    return this.#report;
  }

  /** Whether it is in the plan-review page (`place="page"`): fixes name the page's inputs. */
  get #page() {
    return this.getAttribute('place') === 'page';
  }

  /** The verdict line: `FAIL: …`, `PASS: …`, `INCOMPLETE: …`, `NOTHING CHECKED: …`; '' without a report. */
  get verdictText() {
    const r = this.#report;
    if (!r) return '';
    const s = r.summary;
    const verdict = s.verdict ?? (s.deny > 0 ? 'fail' : 'pass');
    const word = { fail: 'FAIL', pass: 'PASS', incomplete: 'INCOMPLETE', 'nothing-checked': 'NOTHING CHECKED' }[verdict] ?? 'PASS';
    const note = s.note ? `${this.#page ? forPage(s.note) : s.note}; ` : '';
    return `${word}: ${note}${s.plans} plan(s), ${s.clusters} cluster(s): ${s.deny} deny, ${s.warn} warn`;
  }

  set report(value) {
    this.#report = value;
    this.#render();
  }

  connectedCallback() {
    this.#render();
  }

  #render() {
    const token = ++this.#renders;
    const root = this.shadowRoot;
    // The last report goes away hidden and a slice at a time: 10 000 cards removed at once take
    // longer than a frame.
    const old = root.querySelector(':scope > .body');
    if (old) {
      old.hidden = true;
      old.classList.replace('body', 'leaving');
      dismantle(old);
    }
    for (const n of [...root.childNodes]) if (n !== old) n.remove();
    root.prepend(el('style', {}, STYLE));
    const r = this.#report;
    if (!r) return;
    const s = r.summary;
    // The engine's verdict: a plan with no cluster, or one whose settings could not be read, is
    // never a green PASS (older reports without a verdict fall back to the deny count).
    const verdict = s.verdict ?? (s.deny > 0 ? 'fail' : 'pass');
    const cls = verdict === 'fail' ? 'fail' : verdict === 'pass' ? 'pass' : 'incomplete';
    // In the page, its own live region announces the verdict (one that is re-created is not).
    const live = this.#page ? {} : { role: 'status' };
    root.append(el('p', { class: `summary ${cls}`, part: 'summary', 'data-verdict': verdict, ...live }, this.verdictText));
    // Clusters (plan and address) with a conflict finding, and with a denial.
    const ids = (keep) => new Set(r.findings.filter(keep).map((f) => `${f.plan}\u0000${f.cluster}`));
    const conflicted = ids((f) => CONFLICTS.has(f.rule));
    const failing = ids((f) => f.severity === 'deny');
    const body = el('div', { class: 'body' });
    // A node's link or a list's button goes to its card (an in-page anchor does not reach into a
    // shadow root); the filter hides what passes.
    body.addEventListener('click', (e) => {
      const a = e.target.closest?.('[data-card]');
      if (!a) return;
      e.preventDefault();
      const card = root.getElementById(a.dataset.card);
      card?.scrollIntoView({ block: 'start' });
      card?.focus({ preventScroll: true });
    });
    body.addEventListener('change', (e) => {
      if (e.target.classList.contains('only-failing')) body.classList.toggle('only-failing', e.target.checked);
    });
    root.append(body);
    const t = triage(r, conflicted, failing);
    if (t) body.append(t);
    if (r.clusters.length > 0) body.append(el('div', { class: 'fleet-wrap', 'aria-label': 'fleet picture (scrolls sideways)' }, fleetPicture(r, conflicted, failing)));
    const cards = el('div', { class: 'cards' });
    const findingsOf = new Map();
    for (const f of r.findings) {
      const k = `${f.plan}\u0000${f.cluster}`;
      if (!findingsOf.has(k)) findingsOf.set(k, []);
      findingsOf.get(k).push(f);
    }
    const card = (c, index) => {
      const loc = c.location ? locationLabel(c.location) : c.backup === 'configured' ? 'incomplete' : c.backup;
      const window = [human(c.window_s) && `${human(c.window_s)} local`, human(c.s3_window_s) && `${human(c.s3_window_s)} in S3`].filter(Boolean).join(', ') || '–';
      const restore = c.restore === null ? 'unknown' : c.restore ? 'on' : 'off';
      const dl = el('dl', {},
        el('dt', {}, 'location'), el('dd', { 'data-field': 'location' }, loc),
        el('dt', {}, 'schedule'), el('dd', { 'data-field': 'schedule' }, c.schedule ?? '–'),
        el('dt', {}, 'retention window'), el('dd', { 'data-field': 'window' }, window),
        el('dt', {}, 'restore'), el('dd', { 'data-field': 'restore' }, restore),
        el('dt', {}, 'token'), el('dd', { 'data-field': 'token' }, c.token.status),
        el('dt', {}, 'read by'), el('dd', { 'data-field': 'profile' }, c.profile ?? 'no module profile (nothing checked)'));
      const findings = findingsOf.get(`${c.plan}\u0000${c.address}`) ?? [];
      const list = el('ul');
      for (const f of findings) {
        list.append(el('li', { class: f.severity },
          el('span', { class: 'rule' }, `${f.severity.toUpperCase()} ${f.rule} ${f.name}`), el('br'),
          this.#page ? forPage(f.message) : f.message, el('br'),
          el('span', { class: 'fix' }, `fix: ${this.#page ? forPage(f.remediation) : f.remediation}`),
          ...(f.source ? [el('br'), el('span', { class: 'fix', 'data-source': '' }, `at ${f.source.file}:${f.source.line}`)] : [])));
      }
      if (findings.length === 0) list.append(el('li', { class: 'ok' }, 'no finding'));
      const section = el('section', { class: `card${failing.has(`${c.plan}\u0000${c.address}`) ? ' failing' : ''}`, part: 'card', 'data-cluster': c.address, id: `card-${index}`, tabindex: '-1' },
        el('h3', {}, c.address), el('div', { class: 'plan' }, `${c.plan} · ${c.action}`), dl, list);
      const values = valuesTable(c);
      if (values) section.append(values);
      return section;
    };
    // A fleet's cards are made a slice at a time, each under a frame's budget, so the page keeps
    // answering (10 000 clusters: no task near 250 ms); a newer report stops the slicing.
    let next = 0;
    const slice = () => {
      if (token !== this.#renders) return;
      const until = performance.now() + 12;
      while (next < r.clusters.length && (next % 16 !== 0 || performance.now() < until)) {
        cards.append(card(r.clusters[next], next));
        next += 1;
      }
      if (next < r.clusters.length) setTimeout(slice);
      else this.dataset.rendered = String(token);
    };
    if (r.clusters.length <= 200) {
      r.clusters.forEach((c, i) => cards.append(card(c, i)));
      this.dataset.rendered = String(token);
    } else {
      slice();
    }
    body.append(cards);
    if (r.config_errors?.length) root.append(el('div', { class: 'errors' }, ...r.config_errors.map((e) => el('div', {}, e))));
  }
}

if (!customElements.get('etcd-backup-report')) customElements.define('etcd-backup-report', EtcdBackupReport);
