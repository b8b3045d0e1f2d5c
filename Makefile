# Thin wrapper over CMake presets. The two entry points of the README:
#   make demo   - install dependencies, build, start the managed PostgreSQL, seed, serve
#   make test   - install dependencies, build, run every test (web unit, ctest, browser e2e)
PRESET ?= release
BUILD := build/$(PRESET)
JOBS ?= $(shell nproc)
PORT ?= 8080

.PHONY: all deps build web demo test unit asan-flood clean format

all: build

deps:
	@scripts/deps.sh test

build: deps
	@[ -f $(BUILD)/build.ninja ] || cmake --preset $(PRESET) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

web:
	@web/scripts/web.sh build

demo: build web
	@$(BUILD)/corrente demo --port $(PORT)

test: build web
	@web/scripts/web.sh test
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 900
	@$(MAKE) --no-print-directory asan-flood
	@tests/e2e/run.sh $(BUILD)/corrente

# The HTTP transport's flood tests under AddressSanitizer and UBSan (a smaller flood: ASan
# is slower); only the transport is built, not the whole binary.
asan-flood:
	@[ -f build/asan/build.ninja ] || cmake --preset asan >/dev/null
	@cmake --build build/asan --target http_server_test -j $(JOBS)
	@CORRENTE_FLOOD_CONNECTIONS=1000 build/asan/src/server/http_server_test --gtest_brief=1

unit: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE 'pg|cluster'

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build
