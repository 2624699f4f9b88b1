# Hotshard: the two commands of the quick start are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN := .build/release/hotshard

.PHONY: setup build release demo test bench fuzz clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

demo: release
	@bash scripts/demo.sh $(RELEASE_BIN)

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release
	@bash scripts/bench.sh

fuzz: setup
	@bash scripts/fuzz.sh

clean:
	rm -rf .build reports/*.json reports/*.html
