# Distillation skeleton of the tiny SlowFast teacher -> tiny SlowFast student
# on the synthetic dataset: model pair, data, schedule, runtime and SAKD
# settings, the same data, schedule and runtime as the student trained alone
# (configs/synthetic/slowfast_tiny_student_synthetic.py), plus the
# training-time log of every distillation config (./runtime.py). Not
# runnable alone:
# each configs/synthetic/*_slowfast_tiny_synthetic.py picks its model.kd_loss
# from kd_methods.
_base_ = [
    './sakd.py', './slowfast_tiny_kd_methods.py',
    '../datasets/synthetic_action.py', '../schedules/adamw_tiny.py',
    './runtime.py'
]

model = dict(
    student=dict(
        cfg_path='{{ fileDirname }}/../models/slowfast_tiny_student.py'),
    teacher=dict(
        cfg_path='{{ fileDirname }}/../models/slowfast_tiny_teacher.py'),
    # Relative to the current directory; `make teacher` writes it.
    teacher_ckpt='checkpoints/slowfast_tiny_teacher_synthetic.pth')

# Per-GPU scoring batch of the SAKD hook (./sakd.py).
sakd_hook = dict(scorer=dict(batch_size=64))
