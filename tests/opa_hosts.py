"""dist/policy.wasm in the two Python OPA-WASM hosts from PyPI, opa-wasmtime and opa-py-wasm,
loaded unchanged with their default settings: on every fixture plan the deny and warn sets equal
the CLI's, a plan the CLI rejects raises, and data changes the verdict. Run by `make test-opa-hosts`,
which installs the hosts from PyPI first.

usage: python3 tests/opa_hosts.py js/dist/policy.wasm
"""
import json
import sys

from gate_support import FIXTURES, cli_opa, finish, leaks
from opa_wasmtime import OPAPolicy
from opapywasm import OpaWasmPolicy


def main(wasm):
    hosts = {
        "opa-wasmtime": OPAPolicy(wasm),
        "opa-py-wasm": OpaWasmPolicy.from_wasm_file(wasm),
    }
    # The two hosts name the entrypoints and the result set the same way.
    evaluate = {
        "opa-wasmtime": lambda p, plan, e: p.evaluate(plan, e),
        "opa-py-wasm": lambda p, plan, e: p.evaluate_raw(plan, e),
    }
    failures = []
    checked = failing = 0
    for plan_file in sorted(FIXTURES.glob("*/plan.json")):
        case = plan_file.parent.name
        _, want = cli_opa(plan_file)
        plan = json.loads(plan_file.read_text())
        for name, policy in hosts.items():
            if want is None:
                try:
                    evaluate[name](policy, plan, "etcd_backup/deny")
                    failures.append(f"{name} {case}: the CLI rejects this plan, the policy passed it")
                except Exception as e:  # each host raises its own error type on opa_abort
                    if leaks(str(e)):
                        failures.append(f"{name} {case}: a secret in the error")
                continue
            for entrypoint, key in (("etcd_backup/deny", "deny"), ("etcd_backup/warn", "warn")):
                got = evaluate[name](policy, plan, entrypoint)
                expected = [{"result": sorted(set(want[key]))}]
                if got != expected:
                    failures.append(f"{name} {case} {key}: {got!r} != {expected!r}")
            report = evaluate[name](policy, plan, "etcd_backup/report")[0]["result"]
            if leaks(json.dumps(report)):
                failures.append(f"{name} {case}: a secret in the report")
            checked += 1
        failing += bool(want and want["deny"])

    # Data: a rule moved to warn, and a malformed document that must raise.
    plan = json.loads((FIXTURES / "missing-bucket" / "plan.json").read_text())
    for name, policy in hosts.items():
        policy.set_data({"etcd_backup": {"rules": {"EB101": "warn"}}})
        if evaluate[name](policy, plan, "etcd_backup/deny") != [{"result": []}]:
            failures.append(f"{name}: set_data did not take the rules")
        policy.set_data({"etcd_backup": {"baselines": {}}})
        try:
            evaluate[name](policy, plan, "etcd_backup/deny")
            failures.append(f"{name}: a malformed data document passed")
        except Exception as e:
            if "baselines" not in str(e):
                failures.append(f"{name}: the error does not name the key: {e}")

    if failing < 10 or checked < 60:
        failures.append(f"too few plans checked ({checked}) or failing ({failing})")
    print(f"{len(hosts)} hosts × {checked // len(hosts)} plans ({failing} failing the gate): {'ok' if not failures else 'FAILED'}")
    return finish(failures)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
