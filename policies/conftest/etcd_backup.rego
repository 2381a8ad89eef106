# conftest policy over an etcd-backup-policy report (also what Atlantis' policy_check runs):
#
#   etcd-backup-policy check plan.json --config . --format json --fail-on never --output report.json
#   conftest test report.json --policy policies/conftest
#
# conftest evaluates package main by default.
package main

import rego.v1

deny contains msg if {
	input.tool.name == "etcd-backup-policy"
	some msg in input.deny
}

warn contains msg if {
	input.tool.name == "etcd-backup-policy"
	some msg in input.warn
}

# Anything else given to this policy (a raw plan, an empty file) is a mistake in the pipeline.
deny contains "etcd-backup-policy: the input is not an etcd-backup-policy report (run `etcd-backup-policy check --format json` first)" if {
	not input.tool.name == "etcd-backup-policy"
}
