# Spacelift plan policy: turns the etcd-backup-policy report into Spacelift deny/warn.
#
# An after-plan hook writes the report as a custom policy input, which Spacelift puts under
# input.third_party_metadata.custom.<key> for a file named <key>.custom.spacelift.json at the
# project root (Spacelift docs, concepts/policy/terraform-plan-policy, "Custom inputs"):
#
#   terraform show -json spacelift.plan > plan.json
#   npx --yes etcd-backup-policy check plan.json --config . --format json --fail-on never \
#     --output etcd_backup.custom.spacelift.json
#
# See policies/README.md.
package spacelift

import rego.v1

report := input.third_party_metadata.custom.etcd_backup

deny contains msg if {
	some msg in report.deny
}

warn contains msg if {
	some msg in report.warn
}

# No report means the check did not run: fail closed rather than pass unchecked.
deny contains "etcd-backup-policy: no report in the plan policy input; is the after-plan hook writing etcd_backup.custom.spacelift.json?" if {
	not report
}

# Keep samples of evaluations so a failing run can be replayed in the policy workbench.
sample := true
