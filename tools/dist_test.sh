#!/usr/bin/env bash
# Usage: bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py options]
# GPUS is the number of processes per node; without CUDA they run on the CPU
# with the gloo backend. Multi-node: set NNODES, NODE_RANK, MASTER_ADDR, PORT.
# PYTHON names the interpreter (default: python), e.g. PYTHON=.venv/bin/python.
set -euo pipefail

CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
# `python` may be another environment's (a clone's is .venv/bin/python).
if ! "$PYTHON" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("torch") is None)' 2>/dev/null; then
    echo "$0: PYTHON=$PYTHON cannot import torch. Name the interpreter of the environment that has mmsakd, e.g. PYTHON=.venv/bin/python bash $0 CONFIG CHECKPOINT GPUS ..." >&2
    exit 1
fi

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
"$PYTHON" -m torch.distributed.run --nnodes="$NNODES" --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
