# Pressroom: `make run` serves the UI on the bundled releases, `make test` runs the tests.
# Both create .venv and install everything on first use (torch CPU first, then the project).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: setup run index test test-fast test-all lint bench train train-lists train-issuers clean browser-deps

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first: 2.13.0 resolves to the local CPU wheel; anything else pulls CUDA.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) app.py --host $(HOST) --port $(PORT)

index: setup
	$(VENV)/bin/pressroom ingest data/releases

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Debian's chromium for the browser tests (tests/test_browser.py); CI runs as root.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: setup browser-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

# unit tests and doctests only: no model, no browser (under a minute)
test-fast: setup
	$(PY) -m pytest -q -m "not slow and not model and not browser"

test-all: setup
	$(PY) -m pytest -q -m "slow or not slow"

bench: setup
	$(PY) benchmarks/quality.py --dataset all
	$(PY) benchmarks/encoder_speed.py
	bash benchmarks/peer_env.sh
	$(PY) benchmarks/ingest_speed.py --archive 1000 --peer
	$(PY) benchmarks/scale.py --cold

# The answer model (qa/models): rebuild its data set, then train (seeded; ~65 min on 2 cores),
# and calibrate its confidence inside retrieve. `make train-issuers` retrains the issuer
# scorer (a few minutes).
# Needs the shared evaluation data beside the checkout. Tests and CI never run this.
ARCHIVE ?= benchmarks/out/archive
$(ARCHIVE)/newsworthy-press-releases:
	mkdir -p $(ARCHIVE)
	tar -xzf ../shared/eval/data/press_releases_newsworthy/all-releases-markdown.tar.gz -C $(ARCHIVE)

train: setup $(ARCHIVE)/newsworthy-press-releases
	$(PY) training/build_dataset.py --archive $(ARCHIVE)/newsworthy-press-releases
	$(PY) training/train.py --archive $(ARCHIVE)/newsworthy-press-releases
	$(PY) training/calibrate.py --data ../shared/eval/data

# The list questions' combiner (qa/list_member.json) over the answer model's probabilities:
# refit it after a new answer model only where the list benchmarks and tests show it helps
# (v3 kept v2's combiner: README, "The list combiner stays v2's").
train-lists: setup
	$(PY) benchmarks/lists.py --index-only
	$(PY) benchmarks/list_member_train.py

train-issuers: setup
	$(PY) training/train_issuers.py

clean:
	rm -rf data/index .pytest_cache benchmarks/out
