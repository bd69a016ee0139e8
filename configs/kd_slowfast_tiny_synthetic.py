# Vanilla KD (SAKD_METHOD.md section 9): the tiny SlowFast student distilled
# from the tiny SlowFast teacher on every training sample, with the fixed
# weight alpha=0.5 of Eq. 9. Same data, schedule and runtime as the
# student-only baseline (configs/students/slowfast_tiny_student_synthetic.py),
# so that the two runs differ only by the teacher.
_base_ = [
    '_base_/models/slowfast_tiny_kd_distiller.py',
    '_base_/datasets/synthetic_action.py', '_base_/schedules/adamw_tiny.py',
    '_base_/default_runtime.py'
]
