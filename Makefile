# Entry points that work on a fresh clone: each brings Node 22 (when the system's is older),
# installs dependencies and builds before doing its job.
SHELL := /bin/bash
WITH_NODE := source scripts/node-env.sh &&

.PHONY: setup demo test bench smoke clean

setup: node_modules/.install-stamp

node_modules/.install-stamp: package.json package-lock.json scripts/node-env.sh
	$(WITH_NODE) npm ci --no-audit --no-fund
	$(WITH_NODE) node scripts/check-native.mjs
	touch $@

demo: setup
	$(WITH_NODE) npm run build && ./bin/pipeline run --stage all

test: setup
	$(WITH_NODE) npm test

bench: setup
	$(WITH_NODE) npm run build && npm run bench

smoke: setup
	$(WITH_NODE) npm run build && npm run smoke

clean:
	rm -rf dist node_modules .tools
