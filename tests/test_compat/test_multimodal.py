from importlib import metadata

import mmaction.utils.dependency as dependency
import pytest

from mmsakd.compat.multimodal import (INCOMPATIBLE_TRANSFORMERS, _major_minor,
                                      patch_incompatible_transformers)


@pytest.mark.parametrize('version, expected', [
    ('5.17.0', (5, 17)),
    ('4.46.3', (4, 46)),
    ('5.0.0rc1', (5, 0)),
    ('5.1.0.dev0', (5, 1)),
    ('4.57', (4, 57)),
    ('5', (5, )),
    ('10.2.1', (10, 2)),
])
def test_major_minor(version, expected):
    assert _major_minor(version) == expected


@pytest.mark.parametrize(
    'version, too_new',
    [
        ('4.40.0', False),
        ('4.57.1', False),
        ('5.0.0rc1', True),
        ('5.1.0', True),
        ('10.0.0', True),  # numeric, not string, comparison
    ])
def test_threshold(version, too_new):
    assert (_major_minor(version) >= INCOMPATIBLE_TRANSFORMERS) is too_new


def _fake_version(monkeypatch, transformers_version):
    real = metadata.version
    asked = []

    def version(name):
        if name != 'transformers':
            return real(name)
        asked.append(name)
        if transformers_version is None:
            raise metadata.PackageNotFoundError(name)
        return transformers_version

    monkeypatch.setattr(metadata, 'version', version)
    return asked


@pytest.fixture
def sentinel_flag(monkeypatch):
    """WITH_MULTIMODAL set to a sentinel (restored after the test), so that
    'untouched' is observable."""
    sentinel = object()
    monkeypatch.setattr(dependency, 'WITH_MULTIMODAL', sentinel)
    return sentinel


def test_transformers_missing_leaves_flag(monkeypatch, sentinel_flag):
    asked = _fake_version(monkeypatch, None)
    assert patch_incompatible_transformers() is False
    assert asked == ['transformers']
    assert dependency.WITH_MULTIMODAL is sentinel_flag


def test_old_transformers_leaves_flag(monkeypatch, sentinel_flag):
    asked = _fake_version(monkeypatch, '4.40.0')
    assert patch_incompatible_transformers() is False
    assert asked == ['transformers']
    assert dependency.WITH_MULTIMODAL is sentinel_flag


@pytest.mark.parametrize('version', ['5.1.0', '5.0.0rc1'])
def test_new_transformers_disables_multimodal(monkeypatch, version):
    monkeypatch.setattr(dependency, 'WITH_MULTIMODAL', True)
    _fake_version(monkeypatch, version)
    assert patch_incompatible_transformers() is True
    assert dependency.WITH_MULTIMODAL is False
    # Idempotent.
    assert patch_incompatible_transformers() is True
    assert dependency.WITH_MULTIMODAL is False


def test_flag_is_restored_after_monkeypatched_tests():
    # The real value (this venv has no transformers, or an old one): the
    # tests above did not leak their WITH_MULTIMODAL into the module.
    assert dependency.WITH_MULTIMODAL in (True, False)
    try:
        version = metadata.version('transformers')
    except metadata.PackageNotFoundError:
        version = None
    if version is None:
        assert dependency.WITH_MULTIMODAL is False
