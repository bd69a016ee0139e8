"""The package works without the repository: a wheel built from a copy of
the tree, installed into an empty folder, loads ``mmsakd::`` configs and
trains from outside the checkout."""
import glob
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
from helpers import REPO_ROOT, as_cli_options, tiny_cfg_options

# Never part of a source tree a user builds from.
IGNORED = ('.git', '.venv', 'work_dirs', 'data', 'checkpoints', 'build',
           'dist', '.mim', '__pycache__', '*.egg-info', '.pytest_cache')
# Run on one pytest-xdist worker: the tests share one installed wheel.
pytestmark = pytest.mark.xdist_group('wheel')


def _run(cmd, cwd, env=None, timeout=600):
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:])
    return result.stdout


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """``(site, env)``: the wheel installed with ``--target site`` and an
    environment that imports it first."""
    root = tmp_path_factory.mktemp('wheel')
    source = root / 'source'
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*IGNORED))
    _run([
        sys.executable, '-m', 'pip', 'wheel', '--no-deps',
        '--no-build-isolation', '--quiet', '-w',
        str(root / 'dist'),
        str(source)
    ],
         cwd=str(root))
    wheels = glob.glob(str(root / 'dist' / 'mmsakd-*.whl'))
    assert len(wheels) == 1, wheels
    site = root / 'site'
    _run([
        sys.executable, '-m', 'pip', 'install', '--no-deps', '--quiet',
        '--target',
        str(site), wheels[0]
    ],
         cwd=str(root))
    env = dict(os.environ, PYTHONPATH=str(site), OMP_NUM_THREADS='1')
    return str(site), env


def test_wheel_ships_configs_and_entry_points(installed):
    site, _ = installed
    mim = osp.join(site, 'mmsakd', '.mim')
    for path in ('configs/sakd_slowfast_ucf101.py',
                 'configs/kd/sakd_slowfast_ucf101.py',
                 'configs/_base_/default_runtime.py', 'model-index.yml',
                 'tools/train.py'):
        assert osp.isfile(osp.join(mim, path)), path
    assert not osp.islink(osp.join(mim, 'configs'))
    assert osp.isfile(osp.join(site, 'mmsakd', 'tools', 'train.py'))
    assert glob.glob(osp.join(site, 'mmsakd-*.dist-info', 'entry_points.txt'))


def test_wheel_ships_the_model_zoo(installed):
    # What `mim search mmsakd` and `mmsakd::` config paths read: the model
    # index, every metafile it imports and every config a metafile names.
    import yaml
    site, _ = installed
    mim = osp.join(site, 'mmsakd', '.mim')
    with open(osp.join(mim, 'model-index.yml')) as f:
        metafiles = yaml.safe_load(f)['Import']
    assert metafiles
    for metafile in metafiles:
        with open(osp.join(mim, metafile)) as f:
            models = yaml.safe_load(f)['Models']
        for model in models:
            assert osp.isfile(osp.join(mim, model['Config'])), model['Config']


def test_user_config_inherits_installed_config(installed, tmp_path):
    site, env = installed
    user = tmp_path / 'user'
    user.mkdir()
    (user / 'my_sakd.py').write_text(
        "_base_ = 'mmsakd::synthetic/sakd_slowfast_tiny_synthetic.py'\n"
        'default_hooks = dict(sakd=dict(ratio=0.3))\n')
    code = textwrap.dedent("""
        import mmsakd
        from mmengine.config import Config
        cfg = Config.fromfile('my_sakd.py')
        print(mmsakd.__file__)
        print(cfg.model.student.cfg_path)
        print(cfg.model.teacher.cfg_path)
        print(cfg.default_hooks.sakd.type, cfg.default_hooks.sakd.ratio)
        print(cfg.default_scope)
        """)
    lines = _run([sys.executable, '-W', 'ignore', '-c', code],
                 cwd=str(user),
                 env=env).strip().splitlines()[-5:]
    package_file, student_cfg, teacher_cfg, hook, scope = lines
    site = osp.realpath(site)
    assert osp.realpath(package_file).startswith(site + os.sep)
    for path in (student_cfg, teacher_cfg):
        assert osp.realpath(path).startswith(site + os.sep), path
        assert osp.isfile(path)
    assert hook == 'SAKDHook 0.3'
    assert scope == 'mmsakd'


def test_trains_from_outside_the_checkout(installed, tiny_data_root, tmp_path):
    site, env = installed
    user = tmp_path / 'user'
    user.mkdir()
    (user / 'my_student.py').write_text(
        "_base_ = 'mmsakd::synthetic/slowfast_tiny_student_synthetic.py'\n")
    work_dir = user / 'work'
    _run(
        [
            sys.executable, '-W', 'ignore', '-m', 'mmsakd.tools.train',
            'my_student.py', '--work-dir',
            str(work_dir)
        ] + as_cli_options(tiny_cfg_options(tiny_data_root)),
        cwd=str(user),
        env=env)
    assert osp.isfile(work_dir / 'epoch_1.pth')
    # The run used the installed package, not the checkout.
    dumped = (work_dir / 'my_student.py').read_text()
    assert REPO_ROOT not in dumped


def _requires(site):
    """``{extra or None: [requirement names]}`` of the installed wheel."""
    from email.parser import Parser
    paths = glob.glob(osp.join(site, 'mmsakd-*.dist-info', 'METADATA'))
    assert len(paths) == 1, paths
    with open(paths[0]) as f:
        metadata = Parser().parse(f)
    requires = {}
    for line in metadata.get_all('Requires-Dist'):
        requirement, _, marker = line.partition(';')
        extra = re.search(r"extra == [\'\"]([\w-]+)[\'\"]", marker)
        name = re.match(r'[\w.-]+', requirement.strip()).group(0).lower()
        requires.setdefault(extra and extra.group(1), []).append(name)
    return requires


def test_mmcv_lite_only_in_the_lite_extra(installed):
    # An environment with the full mmcv installs mmsakd, or its `mim`
    # extra, without mmcv-lite on top (both install the `mmcv` package).
    site, _ = installed
    requires = _requires(site)
    assert requires['lite'] == ['mmcv-lite']
    assert requires['mim'] == ['mmcv']
    for extra, names in requires.items():
        if extra != 'lite':
            assert 'mmcv-lite' not in names, extra
    assert 'mmcv' not in requires[None]


def test_import_without_mmcv_names_both_distributions(installed, tmp_path):
    site, env = installed
    code = "import sys; sys.modules['mmcv'] = None; import mmsakd"
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', code],
                            cwd=str(tmp_path),
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith('ModuleNotFoundError: mmsakd needs the `mmcv`')
    assert '`pip install mmcv-lite==2.1.0`' in error
    assert '`mmcv==2.1.0`' in error
