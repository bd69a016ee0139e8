import pytest
import torch
from mmaction.structures import ActionDataSample

from mmsakd.models.distillers.sample_tables import SampleTables

NUM_SAMPLES = 10  # size of the pretend training set
CPU = torch.device('cpu')


def _samples(sample_idx):
    samples = []
    for idx in sample_idx:
        sample = ActionDataSample().set_gt_label(0)
        if idx is not None:
            sample.set_metainfo(dict(sample_idx=idx))
        samples.append(sample)
    return samples


def test_constant_alpha_until_a_vector_is_set():
    tables = SampleTables(0.3)
    alpha = tables.batch_alpha(_samples([None, 4, None]), CPU)
    assert alpha.dtype == torch.float32
    assert torch.equal(alpha, torch.tensor([0.3, 0.3, 0.3]))
    assert tables.alpha is None
    assert tables.batch_weight(_samples([1, 2]), CPU) is None


def test_values_are_read_by_dataset_index():
    tables = SampleTables(0.5)
    alpha = torch.linspace(0., 0.9, NUM_SAMPLES)
    weight = torch.arange(NUM_SAMPLES, dtype=torch.float32) / 2
    tables.set_alpha(alpha)
    tables.set_weight(weight)
    samples = _samples([7, 2, 9, 2])
    assert torch.equal(tables.batch_alpha(samples, CPU), alpha[[7, 2, 9, 2]])
    assert torch.equal(
        tables.batch_weight(samples, CPU), torch.tensor([3.5, 1., 4.5, 1.]))
    tables.set_alpha(None)
    tables.set_weight(None)
    assert torch.equal(
        tables.batch_alpha(samples, CPU), torch.full((4, ), 0.5))
    assert tables.batch_weight(samples, CPU) is None


def test_alpha_checks():
    with pytest.raises(ValueError, match=r'alpha must be .* \[0, 1\]'):
        SampleTables(1.5)
    tables = SampleTables(0.5)
    tables.set_alpha(torch.full((NUM_SAMPLES, ), 0.3))
    with pytest.raises(ValueError, match='sample_idx 10 is out of range'):
        tables.batch_alpha(_samples([1, NUM_SAMPLES]), CPU)
    with pytest.raises(ValueError, match="add 'sample_idx' to the meta_keys"):
        tables.batch_alpha(_samples([1, None]), CPU)
    with pytest.raises(ValueError, match=r'in \[0, 1\]'):
        tables.set_alpha(torch.tensor([0.2, 1.5]))
    with pytest.raises(ValueError, match='1-D'):
        tables.set_alpha(torch.zeros(2, 2))
    with pytest.raises(TypeError, match='1-D tensor or None'):
        tables.set_alpha([0.5])
    source = torch.full((3, ), 0.25)
    tables.set_alpha(source)
    source.fill_(1.0)  # the tables keep a copy
    assert torch.equal(tables.alpha, torch.full((3, ), 0.25))
    tables.alpha.fill_(0.75)  # and hand out copies
    assert torch.equal(tables.alpha, torch.full((3, ), 0.25))


def test_weight_checks():
    tables = SampleTables(0.5)
    tables.set_weight(torch.full((NUM_SAMPLES, ), 2.))
    with pytest.raises(ValueError, match='weight of 10 samples'):
        tables.batch_weight(_samples([1, NUM_SAMPLES]), CPU)
    with pytest.raises(ValueError, match='per-sample weight needs'):
        tables.batch_weight(_samples([1, None]), CPU)
    for bad in (torch.tensor([1., -0.5]), torch.tensor([1., float('inf')]),
                torch.tensor([float('nan'), 1.])):
        with pytest.raises(ValueError, match='finite and >= 0'):
            tables.set_weight(bad)
    with pytest.raises(ValueError, match='1-D'):
        tables.set_weight(torch.ones(2, 2))
    with pytest.raises(ValueError, match='non-empty'):
        tables.set_weight(torch.ones(0))
    with pytest.raises(TypeError, match='1-D tensor or None'):
        tables.set_weight([1.])
    source = torch.full((3, ), 2.)
    tables.set_weight(source)
    source.fill_(5.)  # the tables keep a copy
    assert torch.equal(tables.weight, torch.full((3, ), 2.))
    tables.weight.fill_(7.)  # and hand out copies
    assert torch.equal(tables.weight, torch.full((3, ), 2.))


def test_record_losses():
    tables = SampleTables(0.5)
    alpha = torch.tensor([0.25, 1.0, 0.0])
    ce = torch.tensor([2.0, 3.0, 4.0], requires_grad=True)
    kd = torch.tensor([8.0, 1.0, 6.0], requires_grad=True)
    tables.record_losses(_samples([5, 0, 3]), alpha, ce, kd)
    record = tables.last_losses
    assert record['sample_idx'].dtype == torch.long
    assert record['sample_idx'].tolist() == [5, 0, 3]
    assert record['loss'].tolist() == [3.5, 1.0, 4.0]
    assert record['kd'].tolist() == [8.0, 1.0, 6.0]
    assert not record['loss'].requires_grad and not record['kd'].requires_grad
    # A batch without every dataset index leaves the record as it is.
    tables.record_losses(_samples([1, None, 2]), alpha, ce, kd)
    assert tables.last_losses is record
