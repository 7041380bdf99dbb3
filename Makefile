# Entry points that work on a fresh clone: each brings Node 22 (when the system's is older),
# installs dependencies and builds before doing its job.
SHELL := /bin/bash
WITH_NODE := source scripts/node-env.sh &&

.PHONY: setup build demo run test bench smoke clean

setup: node_modules/.install-stamp

node_modules/.install-stamp: package.json package-lock.json scripts/node-env.sh
	$(WITH_NODE) npm ci --no-audit --no-fund
	$(WITH_NODE) node scripts/check-native.mjs
	touch $@
	@# npm ci's prepare step has just built dist/: the build below need not run tsc a second time.
	@if [ -d dist ]; then touch dist/.build-stamp; fi

# The main job: the verification protocol 4A-4D against the embedded emulator, which the command
# starts in-process with the fixture source server, deploying the stack first (no Docker, no
# internet). Rebuilds only when a source changed (npm ci's prepare step has built dist/ already).
demo: build
	./bin/pipeline verify all

# The three stages in-process on the demo roster (no deploy): scrape -> post-process -> index-sync.
run: build
	./bin/pipeline run --stage all

build: dist/.build-stamp

dist/.build-stamp: node_modules/.install-stamp tsconfig.json tsconfig.build.json $(shell find src -name '*.ts')
	$(WITH_NODE) npm run build
	touch $@

test: setup
	$(WITH_NODE) npm test

bench: setup
	$(WITH_NODE) npm run build && npm run bench

smoke: setup
	$(WITH_NODE) npm run build && npm run smoke

clean:
	rm -rf dist node_modules .tools
