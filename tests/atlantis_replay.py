"""Replays the Atlantis recipes in policies/atlantis/ the way Atlantis runs and judges them
(runatlantis/atlantis: server/events/project_command_runner.go `runSteps` and the policy-check
result, server/core/runtime/run_step_runner.go, show_step_runner.go, policy/conftest_client.go),
with etcd-backup-policy installed from the packed tarball as the recipe's Dockerfile installs it.

For each recipe and each fixture plan: a `run` step runs under `sh -c` in the project directory
with Atlantis's environment ($SHOWFILE, $PLANFILE, $DIR, $ATLANTIS_TERRAFORM_VERSION, ...), where
`terraform<version> show -json $PLANFILE` is a stand-in printing the fixture plan (or failing, for
a plan that cannot be read); the built-in `policy_check` step runs conftest's evaluation of each
policy set (package main, `deny`) over $SHOWFILE, here with regopy, and prints the JSON Atlantis
builds. (The recipes have no `show` step: in custom mode it would post the plan JSON; a step the
replay does not know fails it.) Then Atlantis's judgement: custom mode fails an output that is empty,
starts with FAIL or matches `([1-9][0-9]* failure|failures": \\[)`; default mode takes the first
output that parses as policy set results. The check must clear exactly when the CLI passes the plan.

usage: python3 tests/atlantis_replay.py etcd-backup-policy-VERSION.tgz
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
from gate_support import FIXTURES, ROOT, cli_opa, conftest_deny, finish, leaks

RECIPES = ROOT / "policies" / "atlantis"
# Where the Dockerfile links the package's policies.
POLICY_LINK = "/etc/atlantis/etcd-backup-policies"
FAILURE = re.compile(r'([1-9][0-9]* failure|failures": \[)')  # project_command_runner.go

# Plans that pass, that fail, that fail only with --config, and that cannot be checked.
CASES = ["seed", "unrelated", "token-unchanged", "missing-bucket", "fleet-shared", "token-changed",
         "first-create-missing-bucket", "fleet-first-create-collide", "url-credentials", "(garbage)", "(unreadable)"]
TF_VERSION = "1.11.0"


def fake_terraform(bin_dir):
    """`terraform<version> show -json PLANFILE`: prints the plan JSON the fixture holds; an
    unreadable plan file fails as terraform does (message on stderr, exit 1)."""
    tf = bin_dir / f"terraform{TF_VERSION}"
    tf.write_text('#!/bin/sh\n[ "$1 $2" = "show -json" ] || exit 64\n'
                  'case "$(head -c 1 "$3")" in "{") cat "$3" ;; *) echo "Error: Failed to read the given file as a state or plan file" >&2; exit 1 ;; esac\n')
    tf.chmod(0o755)


class StepError(Exception):
    pass


def install(tarball, prefix):
    subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--offline", str(tarball)],
                   check=True, capture_output=True)
    return prefix / "node_modules" / ".bin", prefix / "node_modules" / "etcd-backup-policy" / "policies"


def conftest(policy_dir, input_file):
    """conftest test -p DIR INPUT --no-color: deny rules of package main fail; exit 1 then."""
    try:
        text = Path(input_file).read_text()
        json.loads(text)
    except (OSError, ValueError):
        return "Error: unable to parse input", False
    failures = conftest_deny(policy_dir, text)
    lines = [f"FAIL - {input_file} - main - {m}" for m in failures]
    lines.append(f"{1 + len(failures)} tests, {1 if not failures else 0} passed, 0 warnings, {len(failures)} failures, 0 exceptions")
    return "\n".join(lines), not failures


def run_steps(config, workflow, project, env, policies):
    """Atlantis's runSteps for the policy_check stage: the outputs, or StepError."""
    steps = config["workflows"][workflow]["policy_check"]["steps"]
    custom = bool(config["repos"][0].get("custom_policy_check"))
    outputs = []
    for step in steps:
        name, arg = (step, None) if isinstance(step, str) else next(iter(step.items()))
        if name == "run":
            r = subprocess.run(["sh", "-c", arg], cwd=project, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise StepError(f"run step exited {r.returncode}: {r.stdout}{r.stderr}")
            out = r.stdout + r.stderr  # Atlantis captures both
        elif name == "policy_check":
            results = []
            for ps in config["policies"]["policy_sets"]:
                path = ps["path"].replace(POLICY_LINK, str(policies))
                text, passed = conftest(path, env["SHOWFILE"])
                results.append({"PolicySetName": ps["name"], "PolicyOutput": text, "Passed": passed, "ReqApprovalCount": 1})
            out = json.dumps(results)
        else:
            raise StepError(f"step {name} is not replayed here")
        if out != "" or (name == "policy_check" and custom):
            outputs.append(out)
    return outputs


def cleared(config, outputs):
    """Atlantis's verdict on the outputs (True: the policy check passes)."""
    if config["repos"][0].get("custom_policy_check"):
        if not outputs:
            return True  # no policy sets configured and no output: Atlantis passes it
        return all(o != "" and not FAILURE.search(o) and not o.strip().startswith("FAIL") for o in outputs)
    for o in outputs:
        try:
            results = json.loads(o)
        except ValueError:
            continue
        if isinstance(results, list):
            return all(r["Passed"] for r in results)
    raise StepError("unable to unmarshal conftest output")


def main(tarball):
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bin_dir, policies = install(Path(tarball).resolve(), tmp / "npm")
        tf_dir = tmp / "terraform-bin"
        tf_dir.mkdir()
        fake_terraform(tf_dir)
        for recipe in ("repos.yaml", "repos-conftest.yaml"):
            config = yaml.safe_load((RECIPES / recipe).read_text())
            repo = config["repos"][0]
            if repo.get("policy_check") is not True:
                failures.append(f"{recipe}: policy_check is not on: Atlantis would not run it")
            for case in CASES:
                project = tmp / recipe / case
                if case == "(garbage)":
                    shutil.copytree(FIXTURES / "seed", project)
                    plan_text, want_pass, report = '{"format_version": "1.2", "resource_changes": "garbage"}', False, None
                elif case == "(unreadable)":
                    shutil.copytree(FIXTURES / "seed", project)
                    plan_text, want_pass, report = "not a plan file", False, None
                else:
                    shutil.copytree(FIXTURES / case, project)
                    plan_text = (FIXTURES / case / "plan.json").read_text()
                    code, report = cli_opa(FIXTURES / case / "plan.json", "--config", str(FIXTURES / case))
                    want_pass = code == 0
                (project / "plan.json").unlink()
                planfile = project / "default.tfplan"
                planfile.write_text(plan_text)
                env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}:{tf_dir}", "PLANFILE": str(planfile),
                       "ATLANTIS_TERRAFORM_DISTRIBUTION": "terraform", "ATLANTIS_TERRAFORM_VERSION": TF_VERSION,
                       "SHOWFILE": str(project / "default.tfplan.json"), "DIR": str(project),
                       "WORKSPACE": "default", "PROJECT_NAME": "", "REPO_REL_DIR": "."}
                try:
                    outputs = run_steps(config, repo["workflow"], project, env, policies)
                    passed = cleared(config, outputs)
                except StepError as e:
                    passed, outputs = False, [str(e)]
                    if repo.get("custom_policy_check"):
                        # The custom recipe must never exit non-zero: older Atlantis drops that output.
                        failures.append(f"{recipe} {case}: {e}")
                if passed != want_pass:
                    failures.append(f"{recipe} {case}: Atlantis would {'pass' if passed else 'fail'} it, the CLI {'passes' if want_pass else 'fails'} it\n{outputs}")
                text = "\n".join(outputs)
                if leaks(text):
                    failures.append(f"{recipe} {case}: a secret in what Atlantis posts")
                if report and report["deny"] and repo.get("custom_policy_check"):
                    verdict = outputs[-1].split("\n", 1)[0]
                    for rule in {re.search(r"\[(EB\d+)\]$", d).group(1) for d in report["deny"]}:
                        if rule not in verdict:
                            failures.append(f"{recipe} {case}: the FAIL line does not name {rule}: {verdict}")
                print(f"{recipe:20} {case:28} {'passes' if passed else 'fails'}")
    return finish(failures)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
