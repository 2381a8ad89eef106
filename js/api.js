// etcd-backup-policy: the JavaScript face of the WASM engine, shared by every entry point
// (index.js for Node, browser.js, the CommonJS build). Thin on purpose: reading plans, resolving
// clusters, rules and rendering all happen in Rust; this file only moves bytes. The entry points
// instantiate the WASM before any of these functions can be called.
import { engine } from './engines.js';

const encoder = new TextEncoder();

/**
 * Loads the engine that reads the Terraform configuration (`config`). Node loads it on first use
 * by itself; the browser entry point must be awaited once before a call with `config`.
 */
export async function loadConfigReader() {
  engine(true);
}

/**
 * A plan read straight into the engine's memory instead of through a JS buffer: `size` bytes,
 * written by `readInto(view)`, which returns how many it wrote. Node's `planFile(path)` makes one.
 */
export class PlanSource {
  constructor(size, readInto) {
    this.size = size;
    this.readInto = readInto;
  }
}

function toBytes(plan) {
  if (typeof plan === 'string') return encoder.encode(plan);
  if (plan instanceof Uint8Array) return plan;
  if (plan instanceof ArrayBuffer) return new Uint8Array(plan);
  if (ArrayBuffer.isView(plan)) return new Uint8Array(plan.buffer, plan.byteOffset, plan.byteLength);
  if (plan !== null && typeof plan === 'object') return encoder.encode(JSON.stringify(plan));
  throw new TypeError('a plan must be a string, bytes or an object');
}

function isSinglePlan(p) {
  // An array is a list of plans; anything else plan-like is one plan.
  return p instanceof PlanSource || typeof p === 'string' || p instanceof Uint8Array || p instanceof ArrayBuffer || ArrayBuffer.isView(p) || (p !== null && typeof p === 'object' && !Array.isArray(p));
}

function planNames(count, names) {
  if (Array.isArray(names)) return names.map(String);
  return Array.from({ length: count }, (_, i) => (count === 1 ? 'plan.json' : `plan-${i + 1}.json`));
}

// Errors from the engine arrive as `Error`s with a one-line message and a `code`: EBP_PLAN (a plan
// that cannot be read or checked), EBP_DATA (the data document), EBP_RULE, EBP_FORMAT, EBP_USAGE.
function engineOptions(options = {}) {
  return JSON.stringify({ data: options.data ?? null, rules: options.rules ?? {}, color: Boolean(options.color), fail_on: options.failOn ?? null, rule_docs_url: options.ruleDocsUrl ?? null, config: options.config ?? null, stack: options.stack ?? null, workspace: options.workspace ?? null, source_roots: options.sourceRoots ?? null });
}

/** Runs `use` on an evaluation holding every plan; frees the WASM memory afterwards. */
function withPlans(plans, options, engineOpts, use) {
  const { bindings, memory } = engine(options.config !== undefined && options.config !== null);
  if (plans === null || plans === undefined || (!isSinglePlan(plans) && typeof plans[Symbol.iterator] !== 'function')) {
    throw new TypeError('plans must be a plan (string, bytes or object) or an array of plans');
  }
  const list = isSinglePlan(plans) ? [plans] : Array.from(plans);
  // One configuration per plan (the engine refuses a plan past the last one; more than the plans
  // is refused here, before any plan is read).
  if (Array.isArray(options.config) && options.config.length !== list.length) {
    throw Object.assign(new Error(`${options.config.length} configurations for ${list.length} plan(s): give one per plan, in the order of the plans`), { code: 'EBP_USAGE' });
  }
  const names = planNames(list.length, options.names);
  const ev = new bindings.Evaluation(engineOpts);
  try {
    list.forEach((p, i) => {
      const name = names[i] ?? `plan-${i + 1}.json`;
      if (p instanceof PlanSource) {
        const at = ev.reservePlan(p.size);
        // After reservePlan: the memory may have grown, which replaces its buffer.
        const filled = p.readInto(new Uint8Array(memory.buffer, at, p.size));
        ev.addReservedPlan(name, filled);
      } else {
        ev.addPlan(name, toBytes(p));
      }
    });
    return use(ev);
  } finally {
    ev.free();
  }
}

/**
 * Evaluates once and renders the report in a format (`json`, `text`, `opa`, …).
 * Returns `{ text, summary }`: the rendering and the verdict's counts.
 */
export function check(plans, options = {}, format = 'json') {
  return withPlans(plans, options, engineOptions(options), (ev) => ({ text: ev.render(format), summary: JSON.parse(ev.summaryJson()) }));
}

/** The report of one plan or several (a fleet) rendered in a format (`json`, `text`, `opa`). */
export function render(plans, options = {}, format = 'json') {
  return check(plans, options, format).text;
}

/** Evaluates one plan or several and returns the report object (SPEC §4). */
export function evaluate(plans, options = {}) {
  return withPlans(plans, options, engineOptions(options), (ev) => JSON.parse(ev.reportJson()));
}

/**
 * The baseline data document for the plans' clusters: per backup location a salted SHA-256 of the
 * token (never the token). `options.merge` is an earlier document to update. Pass the result back
 * as `options.data` to `evaluate`.
 */
export function fingerprint(plans, options = {}) {
  return withPlans(plans, options, engineOptions({ config: options.config, workspace: options.workspace }), (ev) => JSON.parse(ev.fingerprintJson(mergeText(options))));
}

/** An earlier data document to merge into, as the engine takes it ('' for none). */
function mergeText(options) {
  return options.merge === undefined || options.merge === null ? '' : JSON.stringify(options.merge);
}

/**
 * The inventory data document for the plans' (or states') clusters: which cluster of which stack
 * owns which backup location (`{ etcd_backup: { inventory: [...] } }`), for EB203 across stacks.
 * `options.stack` names the stack (required unless a Spacelift-wrapped plan names it);
 * `options.merge` is an earlier document whose entries of other stacks are kept.
 */
export function inventory(plans, options = {}) {
  return withPlans(plans, options, engineOptions({ config: options.config, stack: options.stack, workspace: options.workspace }), (ev) => JSON.parse(ev.inventoryJson(mergeText(options))));
}

/** The output formats the engine renders. */
export const FORMATS = ['text', 'json', 'opa', 'sarif', 'junit', 'github', 'markdown', 'atlantis'];

/** The rule catalogue: `[{id, name, severity, summary}]`. */
export function rules() {
  return JSON.parse(engine(false).bindings.rulesJson());
}

/**
 * The module profiles clusters are read through: those of `options.data` (`etcd_backup.profiles`)
 * first, then the built-in ones: `[{name, module, distribution, builtin, inputs, token, restore,
 * rendered, sources}]`.
 */
export function profiles(options = {}) {
  return JSON.parse(engine(false).bindings.profilesJson(engineOptions({ data: options.data })));
}

/** A rule's documentation text (Markdown); `explain('profiles')` is the profile schema. */
export function explain(id) {
  return engine(false).bindings.explain(String(id));
}
