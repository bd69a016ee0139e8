# Two commands do everything on a fresh clone: `make demo` and `make test`.
# GPU users override TORCH_PIP_ARGS (a CUDA wheel index) and MMCV (full mmcv):
#   make demo TORCH_PIP_ARGS="--index-url <CUDA wheel index>" MMCV="mmcv==2.1.0"
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
TORCH_PIP_ARGS ?=
MMCV ?= mmcv-lite==2.1.0
PYTEST_ARGS ?=
DEMO_ARGS ?=

PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmsakd-installed

.PHONY: venv demo test lint data teacher clean

venv: $(STAMP)

$(STAMP): setup.py requirements/runtime.txt requirements/tests.txt \
		requirements/lint.txt requirements/constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH)" $(TORCH_PIP_ARGS)
	$(PY) -m pip install --quiet "$(MMCV)"
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[tests]"
	$(PY) -m pip install --quiet -r requirements/lint.txt
	touch $(STAMP)

data: $(STAMP)
	$(PY) tools/data/synthetic/generate.py

# The default synthetic data and the tiny SlowFast teacher that
# configs/synthetic/*_slowfast_tiny_synthetic.py read.
teacher: $(STAMP)
	$(PY) tools/analysis/benchmark_sakd.py --regime scratch --prepare-only

demo: $(STAMP)
	$(PY) tools/demo.py $(DEMO_ARGS)

# Style of the OpenMMLab projects (setup.cfg): isort, yapf, flake8 at the
# versions pinned in requirements/lint.txt.
LINT_PATHS := mmsakd tools tests configs setup.py

lint: $(STAMP)
	$(VENV)/bin/flake8 .
	$(VENV)/bin/isort --check-only --diff $(LINT_PATHS)
	$(VENV)/bin/yapf --diff --recursive $(LINT_PATHS)

test: lint
	$(PY) -m pytest tests $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) work_dirs build *.egg-info
