# Logit KD (Hinton et al., spec Eq. 2) from the tiny SlowFast teacher into
# the tiny SlowFast student. Both recognizers come from their own base files
# (`cfg_path`: relative to the current directory, else to the repository
# root). `teacher_ckpt`, relative to the current directory, is written by
# `make demo` (tools/demo.py).
model = dict(
    type='SAKDDistiller',
    student=dict(cfg_path='configs/_base_/models/slowfast_tiny_student.py'),
    teacher=dict(cfg_path='configs/_base_/models/slowfast_tiny_teacher.py'),
    teacher_ckpt='checkpoints/slowfast_tiny_teacher_synthetic.pth',
    kd_loss=dict(type='KDLoss', tau=4.0),
    # Weight of the KD term while the SAKD hook sets no per-sample weights:
    # (1 - alpha) * CE + alpha * KD for every sample.
    alpha=0.5)
