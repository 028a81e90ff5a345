# Entry points. `make demo` and `make test` work on a fresh Debian 12 machine: both run the
# setup script first (it installs only what is missing, so later runs are quick).
JOBS ?= $(shell nproc)

.PHONY: all setup build build-debug build-release build-crash build-fuzz fuzz fuzz-ci test unit e2e demo bench soak crash-loop otsd-crash-loop otsd-trim-crash-loop format format-check clean

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

# Release flags with the kill points compiled in, for the long crash loops.
build-crash:
	cmake --preset crash >/dev/null
	cmake --build --preset crash -j $(JOBS) --target otsd otsync

# The warehouse crash loop at scale (docs/reliability.md): CRASH_TRIALS kills of `otsync run`.
CRASH_TRIALS ?= 10000
CRASH_SEED ?= 20261202
crash-loop: setup build-crash
	cd tests/e2e && OTSD_BIN=$(CURDIR)/build/crash/src/tools/otsd \
	  OTSYNC_BIN=$(CURDIR)/build/crash/src/tools/otsync OTSYNC_CRASH_TRIALS=$(CRASH_TRIALS) \
	  OTSYNC_CRASH_SEED=$(CRASH_SEED) OTSYNC_CRASH_REPORT=$(CURDIR)/build/crash/crash-loop.json \
	  node --test --test-reporter=spec warehouse_crash_loop.test.js

# The otsd crash loop at scale (docs/reliability.md): OTSD_CRASH_TRIALS kill -9s of otsd under a
# write load, at random moments and at otsd's kill points. The report: build/crash/otsd-crash-loop.json.
OTSD_CRASH_TRIALS ?= 1000
OTSD_CRASH_SEED ?= 20261203
otsd-crash-loop: setup build-crash
	cd tests/e2e && OTSD_BIN=$(CURDIR)/build/crash/src/tools/otsd \
	  OTSD_CRASH_TRIALS=$(OTSD_CRASH_TRIALS) OTSD_CRASH_SEED=$(OTSD_CRASH_SEED) \
	  OTSD_CRASH_REPORT=$(CURDIR)/build/crash/otsd-crash-loop.json \
	  node --test --test-reporter=spec otsd_crash_loop.test.js

# otsd killed while it trims expired stream records (docs/reliability.md), OTSD_TRIM_CRASH_TRIALS
# trials of a clock moved 20 minutes ahead (or 10 back), on a stream that keeps records for an hour.
OTSD_TRIM_CRASH_TRIALS ?= 500
OTSD_TRIM_CRASH_SEED ?= 20261207
otsd-trim-crash-loop: setup build-crash
	cd tests/e2e && OTSD_BIN=$(CURDIR)/build/crash/src/tools/otsd \
	  OTSD_TRIM_CRASH_TRIALS=$(OTSD_TRIM_CRASH_TRIALS) OTSD_TRIM_CRASH_SEED=$(OTSD_TRIM_CRASH_SEED) \
	  node --test --test-reporter=spec otsd_trim_crash_loop.test.js

# libFuzzer targets (fuzz/, docs/reliability.md "Fuzzing"): clang with ASan and UBSan.
FUZZ_TARGETS = plain_buffer http_reply http_request ots_request shard_iterator checkpoint_codec lenient_json job_script \
  datasource_registry parameter_expression
FUZZ_SECONDS ?= 60
build-fuzz:
	bash scripts/setup.sh --fuzz
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

# Each target for FUZZ_SECONDS seconds, growing its corpus in build/fuzz/corpus/<target> (seeded
# from fuzz/corpus/<target>); findings are written to build/fuzz/findings/.
fuzz: build-fuzz
	bash scripts/fuzz.sh run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The CI form: each target on the committed corpus, then briefly mutating it (at most 30 s each).
fuzz-ci: build-fuzz
	bash scripts/fuzz.sh ci 20 $(FUZZ_TARGETS)

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

# The soak (docs/reliability.md): SOAK_MINUTES of writers, window-after-window exports, a split and
# a merge, retention trimming, sampled every minute; build/soak/soak.{csv,json,png}.
SOAK_MINUTES ?= 60
soak: setup build-release
	OTSD_BIN=$(CURDIR)/build/release/src/tools/otsd OTSYNC_BIN=$(CURDIR)/build/release/src/tools/otsync \
	  node tests/soak/soak.js --minutes $(SOAK_MINUTES) --out $(CURDIR)/build/soak

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

format-check:
	git ls-files '*.h' '*.cc' | xargs -r clang-format --dry-run --Werror

clean:
	rm -rf build
