/** A plan read straight into the engine's memory (Node: `planFile(path)`). */
export declare class PlanSource {
  constructor(size: number, readInto: (view: Uint8Array) => number);
  readonly size: number;
}
export type Plan = string | Uint8Array | ArrayBuffer | ArrayBufferView | PlanSource | Record<string, unknown>;
/** Node only: the plan file at `path`, read into the engine when it takes it (no JS copy). */
export declare function planFile(path: string): PlanSource;
export type Severity = 'deny' | 'warn' | 'off';

export interface Options {
  /** OPA-style data document(s): `{ etcd_backup: { inventory, baseline, rules, min_retention_window, profiles } }`. */
  data?: Record<string, unknown> | Record<string, unknown>[];
  /** Per-rule severity overrides, e.g. `{ EB108: 'deny' }`. */
  rules?: Record<string, Severity>;
  /** Names of the plans in findings, in order (default `plan.json` / `plan-N.json`). */
  names?: string[];
  /** The Terraform configuration, `{ path: text }` with paths relative to the root module (`main.tf`,
   * `platform/main.tf` for a local module, `files/backup.yaml` for what `file()` reads; `null` for a file
   * that exists but was not read): resolves literal etcd_backup keys a first-create plan loses. One
   * object for one plan, or a list with one per plan. */
  config?: Record<string, string | null> | (Record<string, string | null> | null)[];
  /** The workspace each plan was made in (`terraform.workspace`, which plan JSON does not record): one
   * name for every plan, or one per plan. Without it, a value that uses the workspace is unknown. */
  workspace?: string | string[];
  /** ANSI colour in the text format. */
  color?: boolean;
  /** When the gate fails (the CLI's `--fail-on`, default `deny`): the `atlantis` format leads with
   * `FAIL` exactly then. */
  failOn?: 'deny' | 'warn' | 'never';
  /** Where this package's docs/rules/ is published (an absolute http(s) URL): SARIF rules get
   * `helpUri` = URL/ID.md (the CLI's `--rule-docs-url`). */
  ruleDocsUrl?: string;
  /** The current stack: with a cluster's address, what identifies this very cluster in the
   * inventory (EB203). A Spacelift-wrapped plan names its own (`spacelift.stack.id`). */
  stack?: string;
  /** Per plan, the repository path of its configuration directory: SARIF results and GitHub
   * annotations name `.tf` files by repository path (the CLI's `--source-root`). */
  sourceRoots?: string[];
}

/** An error of the engine: `code` says which input was wrong. */
export interface EngineError extends Error {
  code: 'EBP_PLAN' | 'EBP_DATA' | 'EBP_RULE' | 'EBP_FORMAT' | 'EBP_USAGE' | 'EBP_OUTPUT';
}

export interface InventoryEntry {
  stack?: string;
  cluster: string;
  endpoint?: string;
  bucket: string;
  folder?: string;
}

export interface KeyReport {
  value: string | null;
  source: 'configuration' | 'variable' | 'rendered' | 'prior-state' | 'configuration-file' | 'module' | 'attribute';
  from: string;
  sensitive?: boolean;
  unknown?: boolean;
}

export interface SourcePosition {
  /** Relative to the configuration directory. */
  file: string;
  line: number;
  column: number;
}

export interface Finding {
  /** Where in the configuration (`--config`) the finding points. */
  source?: SourcePosition;
  rule: string;
  name: string;
  severity: 'deny' | 'warn';
  cluster: string;
  key?: string;
  plan: string;
  message: string;
  remediation: string;
  /** The module profile that read the cluster. */
  profile?: string;
}

export interface ClusterReport {
  address: string;
  plan: string;
  action: 'no-op' | 'read' | 'create' | 'update' | 'replace' | 'delete';
  /** The module profile that read it; null when none did (EB004) or only a deleted call's resources were read. */
  profile: string | null;
  /** `not-read`: no profile reads it (EB004), nothing of it is checked. */
  backup: 'configured' | 'not-set' | 'unresolved' | 'not-read';
  location?: { service: string; bucket: string; folder: string };
  /** The effective snapshot schedule (the key, or k3s's default) and its average interval. */
  schedule: string | null;
  interval_s: number | null;
  /** Local (`snapshot-retention`) and S3 (`s3-retention`) retention, effective values. */
  retention: number | null;
  s3_retention: number | null;
  /** How far back the kept snapshots reach, locally and in S3; null when unbounded or unknown. */
  window_s: number | null;
  s3_window_s: number | null;
  /** Whether creating this cluster would restore a snapshot; null when unknown (counts as on). */
  restore: boolean | null;
  keys: Record<string, KeyReport>;
  token: { source: string; status: 'unchanged' | 'changed' | 'regenerated' | 'unverified' | 'known' | 'unknown' | 'not-set' | 'unresolved' | 'deleted'; from?: string };
}

export interface Report {
  version: 1;
  tool: { name: 'etcd-backup-policy'; version: string };
  deny: string[];
  warn: string[];
  findings: Finding[];
  clusters: ClusterReport[];
  /** `.tf` files given with `config` that could not be parsed (`file:line:column: what`). */
  config_errors?: string[];
  summary: {
    plans: number;
    clusters: number;
    deny: number;
    warn: number;
    /** Clusters a profile read and the plan keeps: what the rules checked. */
    checked: number;
    /** What a pass is worth: `incomplete` when a kept cluster's settings could not be read (EB002), `nothing-checked` without any. */
    verdict: 'pass' | 'fail' | 'incomplete' | 'nothing-checked';
    /** Why the verdict is `incomplete` or `nothing-checked`. */
    note?: string;
  };
}

export interface RuleInfo {
  id: string;
  name: string;
  severity: Severity;
  summary: string;
}

export function evaluate(plans: Plan | Plan[], options?: Options): Report;
export function check(plans: Plan | Plan[], options?: Options, format?: string): { text: string; summary: Report['summary'] };
export function render(plans: Plan | Plan[], options?: Options, format?: string): string;
export function fingerprint(plans: Plan | Plan[], options?: { names?: string[]; merge?: Record<string, unknown>; config?: Options['config']; workspace?: Options['workspace'] }): {
  etcd_backup: { baseline: Record<string, { cluster: string; plan: string; token_sha256: string }> };
};
export function inventory(plans: Plan | Plan[], options?: { names?: string[]; merge?: Record<string, unknown>; config?: Options['config']; workspace?: Options['workspace']; stack?: string }): {
  etcd_backup: { inventory: InventoryEntry[] };
};
export function rules(): RuleInfo[];
/**
 * Loads the engine that reads the Terraform configuration (`options.config`), a second WASM module
 * kept out of calls without one. Node loads it on first use; in the browser, await this once
 * before a call given a `config` (such a call throws `EBP_USAGE` otherwise).
 */
export function loadConfigReader(): Promise<void>;
/** A rule's documentation, or `explain('profiles')`: the module profile declaration's schema. */
export function explain(id: string): string;
export interface ProfileInfo {
  name: string;
  module: string;
  distribution: 'k3s' | 'rke2';
  builtin: boolean;
  /** `name (form)` of each input that carries the settings. */
  inputs: string[];
  token: string | null;
  restore: string;
  rendered: string;
  sources: string[];
}
/** The module profiles clusters are read through: the data document's own first, then the built-in ones. */
export function profiles(options?: { data?: Options['data'] }): ProfileInfo[];
