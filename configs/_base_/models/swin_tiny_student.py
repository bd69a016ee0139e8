# Tiny Video Swin student: the teacher's layout with 16-dim embeddings and
# depths (1, 1, 2, 1).
_base_ = ['./swin_tiny_teacher.py']
model = dict(
    backbone=dict(
        arch=dict(embed_dims=16, depths=[1, 1, 2, 1], num_heads=[1, 2, 4, 8])),
    cls_head=dict(in_channels=128))
