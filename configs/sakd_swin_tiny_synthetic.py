# SAKD (r 0.1, every epoch) for the tiny Video Swin pair: the SlowFast config
# with the model pair swapped.
_base_ = ['./sakd_slowfast_tiny_synthetic.py']
model = dict(
    student=dict(cfg_path='configs/_base_/models/swin_tiny_student.py'),
    teacher=dict(cfg_path='configs/_base_/models/swin_tiny_teacher.py'),
    # From `python tools/train.py
    # configs/teachers/swin_tiny_teacher_synthetic.py`,
    # its last checkpoint copied here.
    teacher_ckpt='checkpoints/swin_tiny_teacher_synthetic.pth')
