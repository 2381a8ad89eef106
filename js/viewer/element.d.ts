import type { Report } from '../index.js';

/**
 * `<etcd-backup-report>`: set `report` to what `evaluate` returned. With `place="page"` (the
 * plan-review page) fixes name the page's inputs instead of the CLI's `--config` and `--data`,
 * and the page's own live region announces the verdict.
 */
export declare class EtcdBackupReport extends HTMLElement {
  report: Report | null;
  /** The verdict line (`FAIL: …`, `PASS: …`, `INCOMPLETE: …`, `NOTHING CHECKED: …`); '' without a report. */
  readonly verdictText: string;
}
