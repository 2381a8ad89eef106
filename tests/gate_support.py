"""What the gate scripts (opa_hosts.py, atlantis_replay.py, recipes.py) share: the fixtures and
their secrets, the CLI's verdict, conftest's evaluation of a policy directory, the exit code."""
import json
import subprocess
from pathlib import Path

import regopy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SECRETS = [s.lower() for s in (FIXTURES / "secrets.txt").read_text().split("\n") if s]


def leaks(text):
    """Whether a fixture secret, in any letter case, is in `text`."""
    return any(s in text.lower() for s in SECRETS)


def cli_opa(plan, *args):
    """`etcd-backup-policy check PLAN ARGS --format opa`: (exit code, {deny, warn} or None on exit 2)."""
    r = subprocess.run(["node", str(ROOT / "js" / "cli.js"), "check", str(plan), *args, "--format", "opa"],
                       capture_output=True, text=True)
    return r.returncode, (None if r.returncode == 2 else json.loads(r.stdout))


def rego_set(rego, input_text, rule):
    """The set `rule` (e.g. `data.main.deny`) of the policy file `rego` on the JSON `input_text`,
    evaluated with regopy; a policy that fails to evaluate gives one member saying so."""
    interp = regopy.Interpreter()
    interp.add_module(Path(rego).name, Path(rego).read_text())
    interp.set_input_term(input_text)
    out = interp.query(f"x = {rule}")
    return out.binding("x") if out.ok() else [f"(policy error in {Path(rego).name})"]


def conftest_deny(policy_dir, input_text):
    """What `conftest test` fails on: package main's `deny` of every .rego in `policy_dir`."""
    return [m for rego in sorted(Path(policy_dir).glob("*.rego")) for m in rego_set(rego, input_text, "data.main.deny")]


def finish(failures):
    """Prints the failures; the script's exit code."""
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0
