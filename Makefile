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

# The first release build (dependencies included) is most of a first demo: say so before it starts.
demo: setup
	@[ -x $(RELEASE_BIN) ] || echo "make demo: building hotshard in release mode first, about 7 minutes on a fresh 2-core machine (seconds afterwards); swift build's [step/total] lines show the progress."
	$(SWIFT) build -c release
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
