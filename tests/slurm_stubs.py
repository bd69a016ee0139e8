"""Stand-ins for Slurm's ``scontrol`` and ``srun``, to run the Slurm
launcher on a machine without Slurm (put ``bin_dir`` first on ``PATH``)."""
import os
import os.path as osp

# `scontrol show hostname NODELIST` names the master node.
_SCONTROL = """#!/usr/bin/env bash
echo "$*" >> "{log_dir}/scontrol.calls"
echo 127.0.0.1
"""

# Starts `--ntasks` copies of the command on this machine with the variables
# srun sets for each task; task i writes to task<i>.log. Fails if any fails.
_SRUN = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "{log_dir}/srun.args"
ntasks=1
while [ $# -gt 0 ]; do
    case $1 in
        -p|-J|--partition|--job-name) shift 2 ;;
        --ntasks=*) ntasks=${{1#--ntasks=}}; shift ;;
        -*) shift ;;
        *) break ;;
    esac
done
pids=()
for ((i = 0; i < ntasks; i++)); do
    SLURM_PROCID=$i SLURM_LOCALID=$i SLURM_NTASKS=$ntasks \\
    SLURM_NODELIST=stub-node1 "$@" > "{log_dir}/task$i.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${{pids[@]}}"; do
    wait "$pid" || status=$?
done
exit $status
"""


def write_slurm_stubs(bin_dir: str, log_dir: str) -> str:
    """Write executable ``scontrol`` and ``srun`` stubs into ``bin_dir``.

    Args:
        bin_dir (str): Folder for the stubs, created if missing.
        log_dir (str): Where the stubs record their calls and the tasks'
            output.

    Returns:
        str: ``bin_dir``.
    """
    os.makedirs(bin_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    for name, body in (('scontrol', _SCONTROL), ('srun', _SRUN)):
        path = osp.join(bin_dir, name)
        with open(path, 'w') as f:
            f.write(body.format(log_dir=log_dir))
        os.chmod(path, 0o755)
    return bin_dir
