# The one entry point: `make run` serves the catalog, `make test` runs lint and the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install run test lint bench bench-real bench-creates bench-blobs bench-graph bench-graph-ab bench-tag-writes bench-concurrency bench-refusals schema clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install  ## serve on 127.0.0.1:8000 with SQLite under ./var, bundled types, dev auth
	$(BIN)/glaregraph serve

lint: install
	$(BIN)/ruff check glaregraph tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/mypy glaregraph

test: install lint  ## the suite on SQLite, then on a fresh PostgreSQL database when one answers
	$(BIN)/python scripts/test.py

bench: install  ## benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/run_all.py

bench-real: install  ## only the real-caller scenario (member, every field); BENCH_QUICK=1 for short
	$(BIN)/python benchmarks/real_caller.py

bench-creates: install  ## creates/s as the catalog grows: one server on an empty database
	$(BIN)/python benchmarks/creates.py --dialect pg
	$(BIN)/python benchmarks/creates.py --dialect sqlite

bench-blobs: install  ## blobs over presigned URLs (juicefs S3 gateway); BENCH_QUICK=1 for short
	$(BIN)/python benchmarks/blobs.py

bench-graph: install  ## lineage and tag graph (member): latency, statements, plans; BENCH_QUICK=1 for short
	$(BIN)/python benchmarks/graph.py

bench-graph-ab: install  ## the graph queries vs a base commit, alternated (BASE=<commit>; needs graph.py --pg-only --keep)
	$(BIN)/python benchmarks/graph_ab.py --base $(BASE)

bench-tag-writes: install  ## what keeping tag co-occurrence costs creates, tag adds and deletes
	$(BIN)/python benchmarks/tag_writes.py

bench-concurrency: install  ## quotas and row locks: 64 clients, 2 workers, A/B vs 79daeca; BENCH_QUICK=1 for short
	$(BIN)/python benchmarks/concurrency.py

bench-refusals: install  ## how long a list argument past its bound holds a worker before its error
	$(BIN)/python benchmarks/refusals.py

schema: install  ## refresh the committed SDL of the test type set
	CATALOG_TYPES=tests/fixtures/types $(BIN)/glaregraph schema print > tests/fixtures/schema.graphql

clean:
	rm -rf $(VENV) var build *.egg-info
