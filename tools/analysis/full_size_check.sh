#!/usr/bin/env bash
# The full-size cost check of docs/benchmarks.md ("One epoch of the paper's
# SlowFast pair on a GPU"), as one script for one GPU:
#   1. benchmark_epoch.py on the SlowFast R101 -> R50 pair of
#      configs/kd_slowfast_ucf101.py: one epoch of vanilla KD, SAKD, vanilla
#      KD with the teacher cache, SAKD+ and vanilla KD with a warm
#      teacher-output store, and one long cycle of multigrid KD (without and
#      with a warm store), in fp32 and with bf16 autocast,
#      once on clips held in GPU memory (compute only) and once on generated
#      224x224 video files read through the config's pipelines (decord
#      decoding in loader workers, so data loading is included);
#   2. about 20 iterations of configs/sakd_plus/sakd_plus_slowfast_ucf101.py
#      through the Runner on a subset of the same files, with --amp, launched
#      by tools/dist_train.sh at world size 1 (NCCL): a full-data epoch, one
#      SAKD+ scoring round, an epoch on its subset. Random initial weights
#      (no checkpoint is read), no validation;
#   3. two epochs of configs/multigrid/kd_multigrid_slowfast_ucf101.py the
#      same way: the first at the long cycle's smallest shape, the second at
#      the base shape.
# PRECISIONS (default "fp32 bf16") and LOADING_PRECISIONS (default the
# same) choose the precisions of the in-memory and the file-reading runs.
# TINY=1 runs the same steps on the tiny synthetic SlowFast pair on a CPU
# (fp32 only, gloo), which is how the test suite exercises this script.
#
# Usage: bash tools/analysis/full_size_check.sh [OUT_DIR]
#   OUT_DIR (default work_dirs/full_size_check) receives epoch_*.json, the
#   generated clips (data/) and the Runner's work dir (runner/).
#   PYTHON (default python), NUM_CLIPS (epoch benchmark clips), NUM_WORKERS,
#   RUNNER_CLIPS (clips of the Runner run) and PORT can be set.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT_DIR=${1:-work_dirs/full_size_check}
PYTHON=${PYTHON:-python}
export PYTHON
if [ "${TINY:-0}" = 1 ]; then
    KD_CFG=configs/synthetic/kd_slowfast_tiny_synthetic.py
    PLUS_CFG=configs/sakd_plus/sakd_plus_slowfast_tiny_synthetic.py
    MG_CFG=configs/multigrid/kd_multigrid_slowfast_tiny_synthetic.py
    SIZE=32
    NUM_CLIPS=${NUM_CLIPS:-32}
    NUM_WORKERS=${NUM_WORKERS:-0}
    RUNNER_CLIPS=${RUNNER_CLIPS:-32}
    EPOCH_ARGS=(--device cpu --clip-len 16 --pool 4 --train-batch 8
        --score-batch 8 --num-classes 10)
    DEFAULT_PRECISIONS="fp32"
    RUNNER_ARGS=()
else
    KD_CFG=configs/kd_slowfast_ucf101.py
    PLUS_CFG=configs/sakd_plus/sakd_plus_slowfast_ucf101.py
    MG_CFG=configs/multigrid/kd_multigrid_slowfast_ucf101.py
    SIZE=224
    NUM_CLIPS=${NUM_CLIPS:-480}
    NUM_WORKERS=${NUM_WORKERS:-12}
    RUNNER_CLIPS=${RUNNER_CLIPS:-128}
    EPOCH_ARGS=()
    DEFAULT_PRECISIONS="fp32 bf16"
    RUNNER_ARGS=(--amp)
fi
read -r -a PRECISIONS <<<"${PRECISIONS:-$DEFAULT_PRECISIONS}"
read -r -a LOADING_PRECISIONS <<<"${LOADING_PRECISIONS:-${PRECISIONS[*]}}"
DATA=$OUT_DIR/data
mkdir -p "$OUT_DIR"

# 1. One epoch of each method, without and with data loading.
for precision in "${PRECISIONS[@]}"; do
    amp=()
    [ "$precision" = bf16 ] && amp=(--amp)
    echo "==> epoch benchmark, clips in memory, $precision"
    "$PYTHON" tools/analysis/benchmark_epoch.py --config "$KD_CFG" \
        --num-clips "$NUM_CLIPS" --size "$SIZE" "${EPOCH_ARGS[@]}" \
        "${amp[@]}" --out "$OUT_DIR/epoch_memory_$precision.json"
done
for precision in "${LOADING_PRECISIONS[@]}"; do
    amp=()
    [ "$precision" = bf16 ] && amp=(--amp)
    echo "==> epoch benchmark, clips read from files, $precision"
    "$PYTHON" tools/analysis/benchmark_epoch.py --config "$KD_CFG" \
        --num-clips "$NUM_CLIPS" --size "$SIZE" "${EPOCH_ARGS[@]}" \
        "${amp[@]}" --data-root "$DATA" --num-workers "$NUM_WORKERS" \
        --out "$OUT_DIR/epoch_loading_$precision.json"
done

# The Runner runs: the clips of runner.txt for every split, random
# initial weights, two epochs, no validation or checkpoint before the end.
head -n "$RUNNER_CLIPS" "$DATA/train.txt" >"$DATA/runner.txt"
runner() {  # runner CONFIG WORK_DIR TRAIN_DATASET_KEY [KEY=VALUE ...]
    local config=$1 work_dir=$2 train=$3
    shift 3
    bash tools/dist_train.sh "$config" 1 "${RUNNER_ARGS[@]}" \
        --work-dir "$work_dir" --cfg-options \
        "$train.ann_file=$DATA/runner.txt" \
        "$train.data_prefix.video=$DATA/videos" \
        "val_dataloader.dataset.ann_file=$DATA/runner.txt" \
        "val_dataloader.dataset.data_prefix.video=$DATA/videos" \
        "test_dataloader.dataset.ann_file=$DATA/runner.txt" \
        "test_dataloader.dataset.data_prefix.video=$DATA/videos" \
        train_cfg.max_epochs=2 train_cfg.val_interval=100 \
        default_hooks.checkpoint.interval=100 \
        model.teacher_ckpt=None model.untrained_teacher=True \
        model.student_ckpt=None randomness.seed=0 "$@"
}

# 2. The SAKD+ config through the Runner: epoch 0 on every clip, the round
# at the start of epoch 1, epoch 1 on its subset.
echo "==> SAKD+ through the Runner, $RUNNER_CLIPS clips"
runner "$PLUS_CFG" "$OUT_DIR/runner" train_dataloader.dataset \
    default_hooks.sakd.warmup_epochs=1 default_hooks.sakd.anneal_epochs=0

# 3. Multigrid KD through the Runner: epoch 0 at the long cycle's first
# shape (with the short cycle), epoch 1 at the base shape.
echo "==> multigrid KD through the Runner, $RUNNER_CLIPS clips"
runner "$MG_CFG" "$OUT_DIR/runner_multigrid" \
    train_dataloader.dataset.dataset \
    train_dataloader.dataset.schedule.until_epoch=1
echo "==> done: $OUT_DIR"
