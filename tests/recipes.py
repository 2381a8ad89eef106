"""Runs what a user copies: the README's recipes (blocks marked `<!-- recipe: NAME -->`), the
GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml, with pre-commit itself),
each with etcd-backup-policy installed from the packed tarball exactly as the recipe says, on a
plan that fails the gate and one that passes.

Stand-ins for what cannot run here: `terraform` (init/plan succeed, `show -json` prints the
fixture's plan), `conftest` (package main's `deny` over the file, evaluated with regopy, exit 1 on
failures), and GitHub's runner for `uses:` steps (this repository's action is run step by step
with its inputs; `upload-sarif` checks the file it would upload).

usage: python3 tests/recipes.py etcd-backup-policy-VERSION.tgz
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from gate_support import FIXTURES, ROOT, finish, rego_set
CASES = {"missing-bucket": "fails", "unrelated": "passes"}

FAKE_TERRAFORM = """#!/bin/sh
# Stand-in for terraform: init and plan succeed, show -json prints the fixture's plan.
case "$1" in
  init) echo "Terraform has been successfully initialized!" ;;
  plan) for a in "$@"; do case "$a" in -out=*) : > "${a#-out=}" ;; esac; done
        prev=""; for a in "$@"; do [ "$prev" = "-out" ] && : > "$a"; prev="$a"; done ;;
  show) cat "$FIXTURE_PLAN" ;;
  *) echo "terraform stand-in: $1 not supported" >&2; exit 64 ;;
esac
"""

FAKE_CONFTEST = f"""#!/usr/bin/env python3
# Stand-in for `conftest test FILE --policy DIR`: package main's deny, exit 1 on failures.
import sys, pathlib
sys.path.insert(0, {str(ROOT / "tests")!r})
from gate_support import conftest_deny
args = sys.argv[1:]
assert args[0] == "test", args
policy = args[args.index("--policy") + 1]
files = [a for a in args[1:] if a != "--policy" and a != policy]
failures = 0
for f in files:
    for m in conftest_deny(policy, pathlib.Path(f).read_text()):
        print(f"FAIL - {{f}} - main - {{m}}")
        failures += 1
print(f"{{len(files)}} tests, {{len(files) - bool(failures)}} passed, 0 warnings, {{failures}} failures, 0 exceptions")
sys.exit(1 if failures else 0)
"""


def recipes():
    """{name: (language, text)} of the README blocks marked `<!-- recipe: NAME -->`."""
    text = (ROOT / "README.md").read_text()
    found = re.findall(r"<!-- recipe: ([\w-]+) -->\n```(\w+)\n(.*?)```", text, re.S)
    return {name: (lang, body) for name, lang, body in found}


class Workspace:
    """A fresh project directory: the fixture's .tf files, the tarball at the root (as the
    recipes expect it), stand-in tools, and an empty npm global prefix."""

    def __init__(self, tmp, name, case, tarball):
        self.dir = tmp / name / case
        shutil.copytree(FIXTURES / case, self.dir)
        (self.dir / "plan.json").unlink()  # the recipe makes it
        shutil.copy(tarball, self.dir / tarball.name)
        tools = tmp / name / f"{case}-tools"
        tools.mkdir()
        for tool, body in (("terraform", FAKE_TERRAFORM), ("conftest", FAKE_CONFTEST)):
            (tools / tool).write_text(body)
            (tools / tool).chmod(0o755)
        prefix = tmp / name / f"{case}-npm-global"
        self.env = {
            **os.environ,
            "PATH": f"{prefix / 'bin'}:{tools}:{os.environ['PATH']}",
            "npm_config_prefix": str(prefix),
            "npm_config_offline": "true",
            "npm_config_audit": "false",
            "npm_config_fund": "false",
            "FIXTURE_PLAN": str(FIXTURES / case / "plan.json"),
            "NO_COLOR": "1",
        }

    def sh(self, script, extra_env=None):
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=self.dir,
                              env={**self.env, **(extra_env or {})}, capture_output=True, text=True)


def github_env(ws):
    out, summary = ws.dir / ".github_output", ws.dir / ".github_step_summary"
    out.touch()
    return {"GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}


def run_action(ws, inputs, log):
    """This repository's action.yml, step by step, as GitHub's runner would: the exit code."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    if unknown:
        raise AssertionError(f"inputs the action does not declare: {unknown}")
    values.update({k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in inputs.items()})
    for k, v in action["inputs"].items():
        if v.get("required") and not values[k]:
            raise AssertionError(f"required input {k} missing")

    def expand(s):
        s = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], str(s))
        return re.sub(r"\$\{\{\s*github\.action_path\s*\}\}", str(ROOT), s)

    for step in action["runs"]["steps"]:
        cond = step.get("if")
        if cond:
            m = re.fullmatch(r"inputs\.([\w-]+) == '(\w+)'", cond)
            assert m, f"condition not replayed: {cond}"
            if values[m.group(1)] != m.group(2):
                continue
        if "uses" in step:
            assert step["uses"].startswith("github/codeql-action/upload-sarif@"), step["uses"]
            sarif = json.loads((ws.dir / expand(step["with"]["sarif_file"])).read_text())
            assert sarif["version"] == "2.1.0", "not SARIF 2.1.0"
            log.append(f"upload-sarif: {len(sarif['runs'][0]['results'])} results")
            continue
        env = {k: expand(v) for k, v in step.get("env", {}).items()}
        r = ws.sh(step["run"], {**github_env(ws), **env})
        log.append(r.stdout + r.stderr)
        if r.returncode != 0:
            return r.returncode
    return 0


def run_workflow_steps(ws, steps, log):
    """GitHub workflow steps: `run` under bash -eo pipefail; checkout and setup-terraform are the
    runner's (the stand-in terraform is on PATH); this repository's action is run by run_action."""
    for step in steps:
        if "run" in step:
            r = ws.sh(step["run"], github_env(ws))
            log.append(r.stdout + r.stderr)
            if r.returncode != 0:
                return r.returncode
        elif step["uses"].split("@")[0] in ("actions/checkout", "hashicorp/setup-terraform"):
            continue
        elif step["uses"].split("@")[0].endswith("/etcd-backup-policy"):
            code = run_action(ws, step.get("with", {}), log)
            if code:
                return code
        else:
            raise AssertionError(f"step not replayed: {step['uses']}")
    return 0


def spacelift_denies(ws):
    """The Spacelift plan policy over the custom input the hook wrote."""
    report = json.loads((ws.dir / "etcd_backup.custom.spacelift.json").read_text())
    policy_input = {"spacelift": {"run": {"type": "PROPOSED"}}, "third_party_metadata": {"custom": {"etcd_backup": report}}}
    return rego_set(ROOT / "policies" / "spacelift" / "etcd_backup.rego", json.dumps(policy_input), "data.spacelift.deny")


def main(tarball):
    tarball = Path(tarball).resolve()
    found = recipes()
    expected = {"install", "github-actions", "github-run", "spacelift", "conftest", "pre-commit"}
    failures = [f"README recipe {n} is missing" for n in sorted(expected - set(found))]
    failures += [f"README recipe {n} is not tested" for n in sorted(set(found) - expected)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in sorted(expected & set(found)):
            lang, body = found[name]
            for case, want in CASES.items():
                ws = Workspace(tmp, name, case, tarball)
                log = []
                if name in ("install", "conftest"):
                    r = ws.sh(body)
                    log.append(r.stdout + r.stderr)
                    got = "passes" if r.returncode == 0 else "fails"
                elif name == "spacelift":
                    (ws.dir / "spacelift.plan").touch()
                    r = ws.sh(body)
                    log.append(r.stdout + r.stderr)
                    got = "error" if r.returncode else ("fails" if spacelift_denies(ws) else "passes")
                elif name in ("github-actions", "github-run"):
                    steps = yaml.safe_load(body)
                    if name == "github-run":  # the plan comes from the step before, as in the first recipe
                        ws.sh("terraform show -json plan.out > plan.json")
                    code = run_workflow_steps(ws, steps, log)
                    got = "passes" if code == 0 else "fails"
                    text = "\n".join(log)
                    if want == "fails" and not re.search(r"^::error file=main\.tf,line=\d+,col=\d+,title=EB101", text, re.M):
                        failures.append(f"{name} {case}: no annotation on main.tf:\n{text}")
                    if name == "github-actions":
                        summary = ws.dir / ".github_step_summary"
                        if not summary.exists() or "etcd-backup-policy" not in summary.read_text():
                            failures.append(f"{name} {case}: no job summary")
                        uploads = [line for line in log if line.startswith("upload-sarif:")]
                        if not uploads or (want == "fails" and uploads[0] == "upload-sarif: 0 results"):
                            failures.append(f"{name} {case}: SARIF was not uploaded, or without the findings: {uploads}")
                elif name == "pre-commit":
                    config = yaml.safe_load(body)
                    hook_ids = [h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())]
                    wanted = [h["id"] for r in config["repos"] for h in r["hooks"]]
                    if not set(wanted) <= set(hook_ids):
                        failures.append(f"{name}: README names hooks {wanted}, the repository has {hook_ids}")
                    ws.sh(f"npm install --global ./{tarball.name} >/dev/null && terraform show -json plan.out > tfplan.json"
                          " && git init -q && git add tfplan.json main.tf")
                    r = ws.sh(f"pre-commit try-repo {ROOT} {wanted[0]} --all-files", {"PRE_COMMIT_HOME": str(tmp / "pre-commit-home")})
                    log.append(r.stdout + r.stderr)
                    got = "passes" if r.returncode == 0 else "fails"
                    if want == "fails" and "EB101" not in r.stdout:
                        failures.append(f"{name} {case}: the hook's output does not name EB101")
                if got != want:
                    failures.append(f"{name} {case}: the recipe {got}, the plan {want}\n" + "\n".join(log)[-3000:])
                print(f"{name:16} {case:16} {got}")
    return finish(failures)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
