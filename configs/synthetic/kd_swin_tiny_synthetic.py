# Vanilla KD on every clip for the tiny Video Swin pair:
# ./kd_slowfast_tiny_synthetic.py with the model pair swapped.
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    student=dict(
        cfg_path='{{ fileDirname }}/../_base_/models/swin_tiny_student.py'),
    teacher=dict(
        cfg_path='{{ fileDirname }}/../_base_/models/swin_tiny_teacher.py'),
    # From `python tools/train.py
    # configs/synthetic/swin_tiny_teacher_synthetic.py`, its last checkpoint
    # copied here.
    teacher_ckpt='checkpoints/swin_tiny_teacher_synthetic.pth')
