# The two commands a new user needs (see README.md):
#   make demo   install, build the demo warehouse, print the segment summary
#   make check  install, then run every check: sqlfluff, then the whole
#               pytest suite (dbt build + tests, end-to-end, and the same
#               build on Spark) in one run on every core
PYTHON ?= python3.11
VENV   ?= .venv
VENV_SPARK ?= .venv-spark
BIN     = $(VENV)/bin
ACCOUNTS ?= 2000
SEED     ?= 42

export DBT_PROFILES_DIR := $(CURDIR)
SHELL := /bin/bash

.PHONY: demo check install lint pytest bench clean diff

$(BIN)/dbt: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(BIN)/dbt

demo: install
	$(BIN)/python -m cs_segments.run --accounts $(ACCOUNTS) --seed $(SEED)

# One pytest run over every file, the Spark ones included, in .venv-spark
# (the DuckDB set plus dbt-spark and pyspark): its two workers share the
# long Spark build with the other files, instead of the Spark file running
# alone after the rest (make pytest and make check-spark run either part).
# sqlfluff runs from .venv-spark too: the check installs one environment,
# not two (.venv took 58 s of a fresh clone's check; make demo makes it).
check: $(VENV_SPARK)/bin/dbt
	$(MAKE) --no-print-directory lint LINT_BIN=$(VENV_SPARK)/bin
	$(MAKE) --no-print-directory check-all

.PHONY: check-all
check-all: $(VENV_SPARK)/bin/dbt browser
	$(VENV_SPARK)/bin/python -m pytest

# sqlfluff only warns when the dbt templater cannot compile a file; a file
# that is not linted fails the check here. --processes 0: one per core
# (2 cores: 1 min 48 s against 2 min 46 s, same findings).
LINT_BIN ?= $(BIN)
lint: $(LINT_BIN)/dbt
	@mkdir -p target
	set -o pipefail; $(LINT_BIN)/sqlfluff lint models tests analyses \
		--processes 0 --disable-progress-bar 2>&1 | tee target/sqlfluff.log
	@if grep -q "dbt raised a fatal exception" target/sqlfluff.log; then \
		echo "sqlfluff could not compile some files (see above)"; exit 1; fi

# The DuckDB part of the suite in .venv (the Spark tests are skipped there).
# pytest builds the demo warehouse with every dbt test (e2e/test_build.py) and
# runs the end-to-end checks against raw files and planted truth.
pytest: install browser
	$(BIN)/python -m pytest

# The report test (e2e/test_report.py) opens the HTML report and the dbt docs
# in a real headless Chromium: Debian's package, installed when missing (needs
# root, as in CI). The demo itself does not need it.
CHROMIUM ?= /usr/bin/chromium
.PHONY: browser report-screenshot
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing chromium (apt-get)"; \
		apt-get update -qq && apt-get install -y -qq chromium; \
	fi

# The README's screenshot of the report, made by the report test.
report-screenshot: install browser
	CS_REPORT_SCREENSHOT=$(CURDIR)/docs/report.png $(BIN)/python -m pytest \
		e2e/test_report.py -k renders_every_chart

bench: install
	$(BIN)/python benchmarks/bench_generate.py --accounts 100000
	$(BIN)/python benchmarks/bench_scale.py --accounts 2000 20000

# The scheduled build at 100,000 accounts (~112 M usage events): floor
# query, full build, daily run, no-op run (benchmarks/results/scale.json).
# About an hour on 2 cores; needs ~30 GB of free disk for data and spill.
.PHONY: bench-100k
bench-100k: install
	$(BIN)/python benchmarks/bench_scale.py --accounts 100000 --no-dbt-noop --aged-days 363

clean:
	rm -rf target logs warehouse data

# Segment diff of the working tree against a git ref (README, "Reviewing a
# change: the segment diff"): make diff BASE=main [DIFF_ARGS='--top 50'].
BASE ?= main
diff: install
	$(BIN)/python -m cs_segments.diff --base $(BASE) $(DIFF_ARGS)

# The same project on Apache Spark (dbt-spark, local pyspark session; needs
# Java 17): builds tiny generated data on Spark and on DuckDB and compares
# (e2e/test_spark.py). Own venv, so the DuckDB set stays as it is.
$(VENV_SPARK)/bin/dbt: requirements.txt requirements-spark.txt
	$(PYTHON) -m venv $(VENV_SPARK)
	$(VENV_SPARK)/bin/pip install --quiet --disable-pip-version-check \
		-r requirements-spark.txt
	touch $@

.PHONY: check-spark bench-spark
check-spark: $(VENV_SPARK)/bin/dbt
	$(VENV_SPARK)/bin/python -m pytest e2e/test_spark.py e2e/test_table_compare.py

# The same build (seeds + models) on DuckDB and on Spark, same data and vars,
# at ACCOUNTS (default 2,000): wall time, CPU and peak RSS of each, written
# to benchmarks/results/spark.json (README, "Running at scale: Spark").
bench-spark: $(VENV_SPARK)/bin/dbt
	$(VENV_SPARK)/bin/python benchmarks/bench_spark.py --accounts $(ACCOUNTS)
