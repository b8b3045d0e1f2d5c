# Thin wrapper over CMake presets. The two entry points of the README:
#   make demo   - install dependencies, build, start the managed PostgreSQL, seed, serve
#   make test   - install dependencies, build, run every test (web unit, ctest, browser e2e)
PRESET ?= release
BUILD := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: all deps build web demo test unit clean format

all: build

deps:
	@scripts/deps.sh test

build: deps
	@[ -f $(BUILD)/build.ninja ] || cmake --preset $(PRESET) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

web:
	@web/scripts/web.sh build

demo: build web
	@$(BUILD)/corrente demo

test: build web
	@web/scripts/web.sh test
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 900
	@tests/e2e/run.sh $(BUILD)/corrente

unit: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE 'pg|cluster'

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build
