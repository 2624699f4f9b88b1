# Hotshard: the two commands of the quick start are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN := .build/release/hotshard

.PHONY: setup build release demo test bench fuzz format check clean

setup:
	@bash scripts/setup/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

# The first release build (dependencies included) is most of a first demo: say so before it starts.
demo: setup
	@[ -x $(RELEASE_BIN) ] || echo "make demo: building hotshard in release mode first, about 7 minutes on a fresh 2-core machine (seconds afterwards); swift build's [step/total] lines show the progress."
	$(SWIFT) build -c release
	@bash scripts/demo/demo.sh $(RELEASE_BIN)

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release
	@bash scripts/bench/bench.sh

fuzz: setup
	@bash scripts/fuzz/fuzz.sh

# House rules: the code as .swift-format lays it out (format rewrites, check only reports), and the
# two builds `make test` does not do: the libFuzzer target and the Benchmarks package.
FORMATTED := Sources Tests Fuzz Benchmarks/Benchmarks Benchmarks/Clients

format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMATTED)

check: setup
	$(SWIFT) format lint --strict --recursive --parallel $(FORMATTED)
	$(SWIFT) build --target HotshardFuzz
	cd Benchmarks && $(SWIFT) build

clean:
	rm -rf .build reports/*.json reports/*.html
