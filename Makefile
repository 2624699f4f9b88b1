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
	@bash scripts/package/manual.sh debug
	@bash scripts/package/static-relink.sh debug
	@bash scripts/test/run-tests.sh debug

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

# Installing and packaging (scripts/package/): man pages from swift-argument-parser's generate-manual
# plugin (which builds the package in release), then that release build linked again with the Swift
# runtime linked in, as --static-swift-stdlib links (static-relink.sh says why not that flag itself),
# completions and profiles. `make test` packages its debug build the same way (PackageInstallTests).
VERSION := $(shell sh scripts/package/version.sh)
PREFIX ?= /usr/local
DESTDIR ?=
MANUAL_DIR := .build/manual/release
PORTABLE_BIN := .build/static/release/hotshard

.PHONY: version portable install uninstall dist

version:
	@echo $(VERSION)

portable: setup
	@bash scripts/package/manual.sh release
	@bash scripts/package/static-relink.sh release

install: portable
	@bash scripts/package/stage.sh install --binary $(PORTABLE_BIN) --manual $(MANUAL_DIR) --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

uninstall:
	@bash scripts/package/stage.sh uninstall --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

# dist/hotshard_$(VERSION)_ARCH.deb and dist/hotshard-$(VERSION)-linux-ARCH.tar.gz
dist: portable
	@bash scripts/package/dist.sh --binary $(PORTABLE_BIN) --manual $(MANUAL_DIR) --output dist
