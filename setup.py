import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
# What ships in mmsakd/.mim, for `mmsakd::folder/file.py` config paths.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_requirements(name):
    path = osp.join(HERE, 'requirements', name)
    with open(path) as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith('#')
        ]


def read_version():
    namespace = {}
    with open(osp.join(HERE, 'mmsakd', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def add_mim_extension():
    """Put the configs, tools and model index into ``mmsakd/.mim``.

    MMEngine looks for ``package::path`` configs in ``<package>/.mim``, as
    OpenMMLab projects ship them. An editable install links the checkout's
    files (edits take effect at once); any other build copies them into the
    package, so that a wheel works without the repository.
    """
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'egg_info')):
        # Source distributions carry the folders themselves.
        return
    else:
        mode = 'copy'
    mim_path = osp.join(HERE, 'mmsakd', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(HERE, name)
        if not osp.exists(src):
            continue
        dst = osp.join(mim_path, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmsakd',
        version=read_version(),
        description='Sample-level Adaptive Knowledge Distillation (SAKD) for '
        'action recognition, as an MMAction2 extension',
        long_description=open(osp.join(HERE, 'README.md')).read()
        if osp.exists(osp.join(HERE, 'README.md')) else '',
        long_description_content_type='text/markdown',
        license='Apache License 2.0',
        packages=find_packages(exclude=('configs', 'tools', 'tests')),
        package_data={'mmsakd': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.8',
        install_requires=read_requirements('runtime.txt'),
        extras_require=dict(
            tests=read_requirements('tests.txt'),
            # mmcv is in no requirement: mmcv-lite and the full mmcv both
            # provide it, and pip cannot ask for either. `import mmsakd`
            # says how to install one where none is.
            lite=read_requirements('lite.txt'),
            mim=read_requirements('mminstall.txt')),
        entry_points={
            'console_scripts': [
                'mmsakd-train = mmsakd.tools.train:main',
                'mmsakd-test = mmsakd.tools.test:main',
            ]
        },
        zip_safe=False)
