# Two commands do everything on a fresh clone: `make demo` and `make test`.
#
# The torch that .venv gets (docs/get_started.md#installation):
#   make demo                            torch==2.13.0 as pip resolves it
#   make demo DEVICE=cuda                the same, refused unless built with CUDA
#   make demo DEVICE=cuda CUDA=cu128     from PyTorch's wheel index for CUDA 12.8
# mmcv-lite serves on a GPU as on a CPU: mmsakd uses no compiled mmcv op.
# .venv keeps what it was built with while the command line names none of
# DEVICE, CUDA, TORCH, TORCH_PIP_ARGS and MMCV; naming them builds a new
# .venv where they differ from the existing one's.
#
# `make install` puts mmsakd (editable) into the environment of PYTHON
# instead, e.g. an existing CUDA environment: its torch and mmcv stay, and
# mmcv-lite is added only where no mmcv package is installed.
PYTHON ?= python3
VENV ?= .venv
# DEVICE and CUDA are common names in shell environments: only the make
# command line sets them.
ifneq ($(origin CUDA),command line)
CUDA :=
endif
ifneq ($(origin DEVICE),command line)
DEVICE := $(if $(CUDA),cuda,cpu)
endif
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl
TORCH_PIP_ARGS ?= $(if $(CUDA),--index-url $(TORCH_INDEX)/$(CUDA))
MMCV ?= mmcv-lite==2.1.0
PYTEST_ARGS ?=
DEMO_ARGS ?=

ifeq ($(filter cpu cuda,$(DEVICE)),)
$(error DEVICE must be cpu or cuda, got '$(DEVICE)')
endif
ifneq ($(CUDA),)
ifneq ($(DEVICE),cuda)
$(error CUDA=$(CUDA) selects a CUDA build of torch: use it with DEVICE=cuda or without DEVICE, not with DEVICE=$(DEVICE))
endif
endif

PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmsakd-installed
# One line: the flavour below, or `incomplete <flavour>` while it installs.
FLAVOUR_FILE := $(VENV)/.mmsakd-flavour
FLAVOUR := $(strip DEVICE=$(DEVICE) TORCH=$(TORCH) \
	TORCH_PIP_ARGS=$(TORCH_PIP_ARGS) MMCV=$(MMCV))
BUILT := $(strip $(shell cat $(FLAVOUR_FILE) 2>/dev/null))
NAMED := $(strip $(foreach v,DEVICE CUDA TORCH TORCH_PIP_ARGS MMCV,\
	$(if $(filter command line,$(origin $(v))),$(v))))
REBUILD :=
ifeq ($(firstword $(BUILT)),incomplete)
REBUILD := its last build did not finish
else ifneq ($(NAMED),)
ifneq ($(BUILT),$(FLAVOUR))
REBUILD := it has '$(or $(BUILT),no recorded flavour)', not '$(FLAVOUR)'
endif
endif
# A .venv without the records of a make build (made by hand) is not
# removed: it may not be a disposable one.
ifneq ($(REBUILD),)
ifneq ($(wildcard $(PY)),)
ifeq ($(wildcard $(STAMP) $(FLAVOUR_FILE)),)
$(error $(VENV) was not built by make: remove it, or name another VENV, to build one with $(FLAVOUR))
endif
endif
endif
# torch and mmcv are installed into a new .venv only: pip would keep a
# torch 2.13.0 of another build, since it satisfies `torch==2.13.0`.
NEW_VENV := $(if $(REBUILD),1,$(if $(wildcard $(PY)),,1))
quote = '$(subst ','\'',$(1))'
CHECK_CUDA := import sys, torch; torch.version.cuda or sys.exit( \
	"DEVICE=cuda, but pip installed torch " + torch.__version__ + \
	", a build without CUDA. Name the CUDA version of the build, e.g. " \
	"make demo DEVICE=cuda CUDA=cu128 (the tags of a torch version are " \
	"on the PyTorch installation pages)")

.PHONY: venv install demo test lint data teacher clean FORCE

venv: $(STAMP)

$(STAMP): setup.py requirements/runtime.txt requirements/tests.txt \
		requirements/lint.txt requirements/constraints.txt \
		$(if $(REBUILD),FORCE)
ifneq ($(NEW_VENV),)
	$(if $(REBUILD),@echo "Building a new $(VENV): $(REBUILD)")
	$(if $(REBUILD),rm -rf $(VENV))
	$(PYTHON) -m venv $(VENV)
	echo $(call quote,incomplete $(FLAVOUR)) > $(FLAVOUR_FILE)
	$(PY) -m pip install --quiet "$(TORCH)" $(TORCH_PIP_ARGS)
	$(if $(filter cuda,$(DEVICE)),$(PY) -W ignore -c $(call quote,$(CHECK_CUDA)))
	$(PY) -m pip install --quiet "$(MMCV)"
	echo $(call quote,$(FLAVOUR)) > $(FLAVOUR_FILE)
endif
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[tests]"
	$(PY) -m pip install --quiet -r requirements/lint.txt
	touch $(STAMP)

FORCE:

install:
	$(PYTHON) -c 'import importlib.util as u, sys; sys.exit(u.find_spec("mmcv") is None)' \
		|| $(PYTHON) -m pip install "$(MMCV)"
	$(PYTHON) -m pip install -e .

data: $(STAMP)
	$(PY) tools/data/synthetic/generate.py

# The default synthetic data and the tiny SlowFast teacher that
# configs/synthetic/*_slowfast_tiny_synthetic.py read.
teacher: $(STAMP)
	$(PY) tools/analysis/benchmark_sakd.py --regime scratch --prepare-only \
		--no-augment

demo: $(STAMP)
	$(PY) tools/demo.py $(DEMO_ARGS)

# Style of the OpenMMLab projects (setup.cfg): isort, yapf, flake8 at the
# versions pinned in requirements/lint.txt.
LINT_PATHS := mmsakd tools tests configs setup.py

lint: $(STAMP)
	$(VENV)/bin/flake8 .
	$(VENV)/bin/isort --check-only --diff $(LINT_PATHS)
	$(VENV)/bin/yapf --diff --recursive $(LINT_PATHS)

# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in
# one process. Tests marked with one xdist_group run on one worker: they
# share an expensive module fixture.
TEST_WORKERS ?= auto

test: lint
	$(PY) -m pytest tests -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) work_dirs build *.egg-info
