"""`make bench`: every figure of the performance goals (SPEC §8, issue 15), measured on this
machine, printed, and checked against its goal; exits 1 when one is missed.

- WASM in Node: `evaluate` / `JSON.parse` of the same text ≤ 0.5 on 1, 10, 100 MB plans and on
  1 000 and 10 000 clusters (bench/bench.mjs: after a warm-up, the best of each of the two timed
  in turns, at least 20 rounds and 1 s), with the floor any eager report has printed beside it
  (JSON.parse of the report's text / JSON.parse of the plan);
- linear: native time per cluster at 10 000 clusters ≤ 2× that at 1 000; the report of 2 000
  clusters sharing one location ≤ 2.2× that of 1 000 (bytes);
- user data: 1 MB of every cloud-init shape decoded in ≤ 20 ms native, 10 MB in ≤ 1 s, linear
  (examples/bench_decode.rs);
- the CLI as a whole command (node start-up included) on 100 MB ≤ regorus running
  bench/peer.rego on the same plan (examples/bench_regorus.rs), peak RSS ≤ 2× the plan;
- size: the wasm-bindgen engines (without and with the configuration reader) and policy.wasm
  ≤ 250 KB gzip.

usage: python3 bench/goals.py   (after `make build` and `cargo build --release --examples`)
"""
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
EXAMPLES = ROOT / "target" / "release" / "examples"
PLANS = {  # name: genplan arguments (SIZE_MB [CLUSTERS [shared]])
    "plan-1mb.json": ["1"], "plan-10mb.json": ["10"], "plan-100mb.json": ["100"],
    "plan-1k-clusters.json": ["0", "1000"], "plan-10k-clusters.json": ["0", "10000"],
    "plan-1k-shared.json": ["0", "1000", "shared"], "plan-2k-shared.json": ["0", "2000", "shared"],
}
results = []


def goal(what, value, limit, unit=""):
    ok = value <= limit
    results.append(ok)
    print(f"{'ok  ' if ok else 'MISS'} {what:62} {value:10.2f}{unit}  (goal ≤ {limit}{unit})")


def lines(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def main():
    for name, args in PLANS.items():
        if not (BENCH / name).exists():
            subprocess.run([EXAMPLES / "genplan", args[0], BENCH / name, *args[1:]], check=True, capture_output=True)
    plan = lambda n: str(BENCH / n)

    print("WASM in Node, evaluate / JSON.parse:")
    wasm = {Path(r["file"]).name: r for r in lines(["node", "--max-old-space-size=8192", "bench/bench.mjs",
                                                     *[plan(n) for n in PLANS if "shared" not in n]])}
    for n, r in wasm.items():
        goal(f"{n} ({r['clusters']} clusters): {r['wasm_ms']} ms vs {r['json_parse_ms']} ms", r["ratio"], 0.5)
    # Not a goal: what handing the report to JS costs by itself (JSON.parse of its text). Where it
    # is above 0.5, no engine speed meets the goal while `evaluate` returns SPEC §4's whole report.
    for n, r in wasm.items():
        print(f"     floor: {n:24} report {r['report_mb']:5.1f} MB, JSON.parse of it alone {r['report_floor']:.2f}× the plan's")

    print("native, linear in clusters and findings:")
    native = {Path(r["file"]).name: r for r in lines([EXAMPLES / "bench_native", *[plan(n) for n in PLANS]])}
    per = lambda n: native[n]["native_ms"] / native[n]["clusters"]
    goal(f"per-cluster time, 10 000 vs 1 000 clusters ({native['plan-10k-clusters.json']['native_ms']} ms)",
         per("plan-10k-clusters.json") / per("plan-1k-clusters.json"), 2.0, "×")
    sizes = {}
    for n in ("plan-1k-shared.json", "plan-2k-shared.json"):
        out = subprocess.run(["node", "js/cli.js", "check", plan(n), "--format", "json"], capture_output=True, cwd=ROOT)
        sizes[n] = len(out.stdout)
    goal(f"report bytes, 2 000 vs 1 000 clusters in one location ({sizes['plan-2k-shared.json'] / 1e6:.1f} MB)",
         sizes["plan-2k-shared.json"] / sizes["plan-1k-shared.json"], 2.2, "×")

    print("user data of every shape, native, at 1 MB and 10 MB (linear: 10 MB within 12x of 1 MB):")
    small = {r["shape"]: r for r in lines([EXAMPLES / "bench_decode", str(1 << 20)])}
    large = {r["shape"]: r for r in lines([EXAMPLES / "bench_decode", str(10 << 20)])}
    for shape, r in small.items():
        big = large[shape]
        for x in (r, big):
            if not x["found"]:
                results.append(False)
                print(f"MISS {shape} ({x['bytes'] / 1e6:.1f} MB): the settings were not found")
        goal(f"{shape} ({r['bytes'] / 1e6:.1f} MB)", r["decode_ms"], 20, " ms")
        goal(f"{shape} ({big['bytes'] / 1e6:.1f} MB)", big["decode_ms"], 1000, " ms")
        goal(f"{shape}, 10 MB / 1 MB", big["decode_ms"] / max(r["decode_ms"], 0.01), 12, "x")

    print("the peer: regorus with bench/peer.rego (same plans, same checks):")
    peer = {Path(r["file"]).name: r for r in lines([EXAMPLES / "bench_regorus", *[plan(n) for n in PLANS]])}
    for n, r in peer.items():
        print(f"     {n:24} ours {r['ours_ms']:8.1f} ms  regorus {r['regorus_ms']:8.1f} ms  ratio {r['ratio']:.2f}"
              f"  (deny {r['ours_deny']} / {r['regorus_deny']})")

    print("the CLI as a whole command on 100 MB (node start-up included):")
    big = BENCH / "plan-100mb.json"
    best, rss = None, 0
    for _ in range(5):
        t = subprocess.run(["/usr/bin/time", "-f", "%e %M", "node", "js/cli.js", "check", str(big), "--format", "json",
                            "--output", "/dev/null"], capture_output=True, text=True, cwd=ROOT)
        secs, kb = t.stderr.strip().splitlines()[-1].split()
        best = float(secs) if best is None else min(best, float(secs))
        rss = max(rss, int(kb) * 1024)
    goal(f"seconds, vs regorus {peer['plan-100mb.json']['regorus_ms'] / 1000:.2f} s", best, round(peer["plan-100mb.json"]["regorus_ms"] / 1000, 2), " s")
    goal(f"peak RSS / plan size ({rss / 1e6:.0f} MB)", rss / big.stat().st_size, 2.0, "×")

    print("size:")
    # pkg/ is loaded for every plan, pkg-config/ only when a configuration is given.
    for w in ("js/pkg/etcd_backup_policy_bg.wasm", "js/pkg-config/etcd_backup_policy_bg.wasm", "js/dist/policy.wasm"):
        data = (ROOT / w).read_bytes()
        goal(f"{w} gzip ({len(data) / 1000:.0f} KB raw)", len(gzip.compress(data, 9)) / 1000, 250, " KB")

    missed = results.count(False)
    print(f"{len(results) - missed} of {len(results)} goals met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
