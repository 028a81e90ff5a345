# Entry points. `make demo` and `make test` work on a fresh Debian 12 machine: both run the
# setup script first (it installs only what is missing, so later runs are quick).
JOBS ?= $(shell nproc)

.PHONY: all setup build build-debug build-release test unit e2e demo bench format format-check clean

all: build

setup:
	bash scripts/setup.sh

build: build-release

build-debug:
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

build-release:
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

# Every test: unit tests beside the code and cross-process tests in tests/e2e, on the sanitizer build.
test: setup build-debug format-check
	ctest --preset debug -j $(JOBS)

unit: build-debug
	ctest --preset debug -j $(JOBS) -L unit

e2e: build-debug
	ctest --preset debug -L e2e

demo: setup build-release
	bash examples/demo.sh build/release

bench: setup build-release
	bash bench/run.sh build/release

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

format-check:
	git ls-files '*.h' '*.cc' | xargs -r clang-format --dry-run --Werror

clean:
	rm -rf build
