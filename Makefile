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
	@bash scripts/package/manual.sh debug
	@bash scripts/package/static-relink.sh debug
	$(SWIFT) test --skip-build

bench: release
	@bash scripts/bench.sh

fuzz: setup
	@bash scripts/fuzz.sh

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
