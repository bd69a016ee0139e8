# Vanilla KD on every clip for the tiny TPN pair:
# ./kd_slowfast_tiny_synthetic.py with the model pair swapped.
_base_ = ['./kd_slowfast_tiny_synthetic.py']

model = dict(
    student=dict(
        cfg_path='{{ fileDirname }}/../_base_/models/tpn_tiny_student.py'),
    teacher=dict(
        cfg_path='{{ fileDirname }}/../_base_/models/tpn_tiny_teacher.py'),
    # From `python tools/train.py
    # configs/synthetic/tpn_tiny_teacher_synthetic.py`, its last checkpoint
    # copied here.
    teacher_ckpt='checkpoints/tpn_tiny_teacher_synthetic.pth')
