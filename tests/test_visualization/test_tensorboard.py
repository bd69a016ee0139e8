"""TensorBoard logging switched on by one ``visualizer`` line in a config
that inherits the default runtime."""
import glob
import json
import os.path as osp

from helpers import REPO_ROOT
from mmengine.config import Config
from mmengine.registry import init_default_scope
from tensorboard.backend.event_processing import event_accumulator

from mmsakd.registry import VISUALIZERS

# The line a user adds to a config to log to TensorBoard as well.
TENSORBOARD_LINE = (
    "visualizer = dict(vis_backends=[dict(type='LocalVisBackend'"
    "), dict(type='TensorboardVisBackend')])\n")


def test_tensorboard_backend_records_scalars(tmp_path):
    config = tmp_path / 'tensorboard_runtime.py'
    runtime = osp.join(REPO_ROOT, 'configs/_base_/default_runtime.py')
    config.write_text(f'_base_ = [{runtime!r}]\n' + TENSORBOARD_LINE)
    cfg = Config.fromfile(str(config))
    init_default_scope('mmsakd')
    visualizer = VISUALIZERS.build(
        dict(
            cfg.visualizer,
            name='test_tensorboard_backend',
            save_dir=str(tmp_path / 'logs')))
    assert type(visualizer).__name__ == 'ActionVisualizer'
    assert [
        type(backend).__name__
        for backend in visualizer._vis_backends.values()
    ] == ['LocalVisBackend', 'TensorboardVisBackend']

    for step, loss in ((1, 0.75), (2, 0.5)):
        visualizer.add_scalars(dict(loss=loss), step=step)
    visualizer.close()

    events = glob.glob(
        str(tmp_path / 'logs' / '**' / 'events.out.tfevents.*'),
        recursive=True)
    assert len(events) == 1
    accumulator = event_accumulator.EventAccumulator(events[0])
    accumulator.Reload()
    assert [(event.step, event.value)
            for event in accumulator.Scalars('loss')] == [(1, 0.75), (2, 0.5)]
    # The local backend still writes the same scalars.
    with open(tmp_path / 'logs' / 'vis_data' / 'scalars.json') as f:
        local = [json.loads(line) for line in f]
    assert local == [dict(loss=0.75, step=1), dict(loss=0.5, step=2)]
