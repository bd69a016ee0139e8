import os.path as osp
from setuptools import find_packages, setup


def read_requirements(name):
    path = osp.join(osp.dirname(__file__), 'requirements', name)
    with open(path) as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith('#')
        ]


def read_version():
    namespace = {}
    with open(osp.join(osp.dirname(__file__), 'mmsakd', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='mmsakd',
    version=read_version(),
    description='Sample-level Adaptive Knowledge Distillation (SAKD) for '
    'action recognition, as an MMAction2 extension',
    long_description=open('README.md').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.8',
    # mmcv is not listed: CPU users install mmcv-lite==2.1.0, GPU users the
    # full mmcv==2.1.0; both provide the `mmcv` package mmaction2 needs.
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(
        tests=read_requirements('tests.txt'),
        mim=read_requirements('mminstall.txt')),
)
