from collections import OrderedDict

import torch

from mmsakd.models.utils import (checkpoint_state_dict, read_checkpoint,
                                 strip_prefix)


def test_state_dict_of_plain_wrapped_and_ddp_checkpoints(tmp_path):
    weight, bias = torch.ones(2), torch.zeros(2)
    state = OrderedDict([('student.fc.weight', weight),
                         ('teacher.fc.weight', bias)])
    ddp = OrderedDict(('module.' + k, v) for k, v in state.items())
    for checkpoint in (dict(state_dict=state,
                            meta={}), state, dict(state_dict=ddp)):
        assert checkpoint_state_dict(checkpoint) == state
    # Only a leading module. is a DDP prefix.
    assert list(checkpoint_state_dict({'a.module.x':
                                       weight})) == ['a.module.x']
    assert checkpoint_state_dict({'x.w': weight},
                                 revise_keys=[(r'^x\.', 'y.')]) == {
                                     'y.w': weight
                                 }
    assert checkpoint_state_dict([weight]) is None
    assert checkpoint_state_dict(dict(state_dict=[weight])) is None

    assert strip_prefix(state, 'student.') == {'fc.weight': weight}
    assert strip_prefix(state, 'other.') == {}

    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict=ddp, meta=dict(epoch=3)), path)
    loaded = read_checkpoint(str(path), logger='silent')
    assert loaded['meta'] == dict(epoch=3)
    assert torch.equal(
        checkpoint_state_dict(loaded)['student.fc.weight'], weight)
