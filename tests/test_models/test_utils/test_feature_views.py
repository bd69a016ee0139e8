import pytest
import torch

from mmsakd.models.utils import average_views, first_tensor


def test_average_views_is_the_mean_of_each_samples_views():
    gen = torch.Generator().manual_seed(0)
    values = torch.randn(3 * 2, 4, 5, generator=gen)  # N=3, V=2, sample-major
    expected = torch.stack([values[2 * i:2 * i + 2].mean(0) for i in range(3)])
    torch.testing.assert_close(average_views(values, 3), expected)
    rows = torch.randn(6, generator=gen)
    torch.testing.assert_close(
        average_views(rows, 2), torch.stack([rows[:3].mean(),
                                             rows[3:].mean()]))
    # One view per sample, or N unknown: the values themselves.
    assert average_views(values, 6) is values
    assert average_views(values, None) is values
    with pytest.raises(ValueError, match='6 rows of logits for 4 samples'):
        average_views(values, 4, 'rows of logits')


def test_first_tensor():
    a, b = torch.zeros(1), torch.ones(1)
    assert first_tensor(a) is a
    assert first_tensor((a, b)) is a
    assert first_tensor([(b, a), a]) is b
