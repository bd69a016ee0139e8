#!/usr/bin/env bash
# Usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#     bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] \
#     [train.py options]
# Starts GPUS tasks of tools/train.py with --launcher slurm, GPUS_PER_NODE on
# each node. WORK_DIR, if given, is passed as --work-dir. SRUN_ARGS is added
# to srun's options (word-split); GRES defaults to gpu:GPUS_PER_NODE (set it
# empty on nodes without GPUs); PYTHON names the interpreter; MASTER_PORT
# defaults to a random port in [12000, 32000).
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "Usage: $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py options]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR_ARGS=()
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
    WORK_DIR_ARGS=(--work-dir "$1")
    shift
fi

GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
GRES=${GRES-gpu:${GPUS_PER_NODE}}
SRUN_ARGS=${SRUN_ARGS:-}
PYTHON=${PYTHON:-python}
export MASTER_PORT=${MASTER_PORT:-$((12000 + RANDOM % 20000))}
TOOLS=$(dirname "$0")

# shellcheck disable=SC2086  # SRUN_ARGS holds several options
PYTHONPATH="$TOOLS/..":${PYTHONPATH:-} \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    ${GRES:+--gres="$GRES"} \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    "$PYTHON" -u "$TOOLS/train.py" "$CONFIG" --launcher slurm \
    "${WORK_DIR_ARGS[@]}" "$@"
