# The peer benchmark's policy (bench/, `make bench`): the checks etcd-backup-policy makes on the
# generated plans, written in Rego as a regorus user would write them — required keys (EB101),
# s3 on (EB102), one cluster per backup location (EB201, grouped by location: linear, not pairwise).
# It reads only the shape genplan writes (the etcd_backup map as a resource input); the plugin also
# reads rendered user data, variables and the configuration, which this policy cannot.
package peer

import rego.v1

required := {"s3", "s3-endpoint", "s3-bucket", "s3-access-key", "s3-secret-key", "s3-region"}

clusters[addr] := eb if {
	some rc in input.resource_changes
	rc.type == "terraform_data"
	eb := rc.change.after.input.etcd_backup
	addr := rc.module_address
}

location(eb) := sprintf("%s/%s/%s", [
	object.get(eb, "s3-endpoint", "s3.amazonaws.com"),
	object.get(eb, "s3-bucket", ""),
	trim(object.get(eb, "s3-folder", ""), "/"),
])

by_location[loc] contains addr if {
	some addr, eb in clusters
	loc := location(eb)
}

deny contains msg if {
	some addr, eb in clusters
	some k in required
	not eb[k]
	msg := sprintf("%s: required key %s is missing [EB101]", [addr, k])
}

deny contains msg if {
	some addr, eb in clusters
	eb.s3 != "true"
	msg := sprintf("%s: s3 is not true [EB102]", [addr])
}

deny contains msg if {
	some loc, addrs in by_location
	count(addrs) > 1
	some addr in addrs
	msg := sprintf("%s: backup location %s is shared by %d clusters [EB201]", [addr, loc, count(addrs)])
}
