// Compiled with `tsc --noEmit` by test/package.test.js: the published types describe the API, and
// the OPA adapter fits where @open-policy-agent/opa-wasm's LoadedPolicy is expected.
import { evaluate, fingerprint, rules, explain, profiles, type Report, type Finding, type ProfileInfo } from 'etcd-backup-policy';
import { loadPolicy, loadPolicySync } from 'etcd-backup-policy/opa';
import type { LoadedPolicy as OpaLoadedPolicy } from '@open-policy-agent/opa-wasm';

const report: Report = evaluate('{}', { rules: { EB003: 'off' }, data: { etcd_backup: {} }, config: { 'main.tf': '' } });
const first: Finding | undefined = report.findings[0];
const denied: number = report.summary.deny;
const status: string = report.clusters[0]?.token.status ?? 'none';
const baseline = fingerprint([new Uint8Array(), '{}']);
const sha: string | undefined = baseline.etcd_backup.baseline['aws/b/f']?.token_sha256;
const ids: string[] = rules().map((r) => r.id);
const doc: string = explain('EB101');
const verdict: 'pass' | 'fail' | 'incomplete' | 'nothing-checked' = report.summary.verdict;
const readBy: string | null = report.clusters[0]?.profile ?? null;
const known: ProfileInfo[] = profiles({ data: { etcd_backup: { profiles: [] } } });

// A host written for opa-wasm only uses this part of its LoadedPolicy.
type OpaHostSurface = Pick<OpaLoadedPolicy, 'entrypoints' | 'setData' | 'evaluate'>;
async function host(load: () => Promise<OpaHostSurface>): Promise<unknown> {
  const policy = await load();
  policy.setData({ etcd_backup: { rules: {} } });
  const resultSet = policy.evaluate({ format_version: '1.2' }, 'etcd_backup/deny');
  return resultSet[0]?.result;
}
void host(() => loadPolicy());
const sync: OpaHostSurface = loadPolicySync();

// @ts-expect-error an unknown option is a type error
evaluate('{}', { colour: true });

export { first, denied, status, sha, ids, doc, sync, verdict, readBy, known };
