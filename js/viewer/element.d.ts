import type { Report } from '../index.js';

/** `<etcd-backup-report>`: set `report` to what `evaluate` returned. */
export declare class EtcdBackupReport extends HTMLElement {
  report: Report | null;
}
