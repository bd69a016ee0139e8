"""A persistent, memory-mapped store of a frozen teacher's logits, one row
per (view, dataset index) of a training set
(docs/method.md#teacher-output-store)."""
import json
import math
import os
import os.path as osp
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from mmaction.utils import SampleList
from torch import Tensor

from mmsakd.registry import TASK_UTILS
from mmsakd.selection.checks import check_choice, check_int
from .recognizer import sample_indices

#: The file that identifies a store: its fingerprint and its format.
META_FILE = 'meta.json'
#: Value dtypes a store keeps logits in.
DTYPES = ('float16', 'float32')


def store_nbytes(num_views: int,
                 num_samples: int,
                 num_classes: int,
                 topk: Optional[int] = None,
                 dtype: str = 'float16') -> int:
    """The size on disk of a store's arrays, in bytes.

    Args:
        num_views (int): Views per sample (epochs, or replayed views).
        num_samples (int): Samples of the training set.
        num_classes (int): Logits per sample.
        topk (int, optional): Logits kept per row; None keeps all.
            Defaults to None.
        dtype (str): One of :data:`DTYPES`. Defaults to 'float16'.

    Returns:
        int: Bytes of the value, index, rest and filled arrays.
    """
    rows = num_views * num_samples
    width = np.dtype(dtype).itemsize
    if topk is None or topk == num_classes:
        return rows * (num_classes * width + 1)
    index_width = np.dtype(_index_dtype(num_classes)).itemsize
    return rows * (topk * (width + index_width) + 4 + 1)


def encode_topk(logits: Tensor, topk: int) -> Tuple[Tensor, Tensor, Tensor]:
    """The ``topk`` largest logits of each row, their classes and the
    log-sum-exp of the other logits.

    Args:
        logits (Tensor): ``(n, K)`` logits.
        topk (int): Logits kept per row, in ``[1, K)``.

    Returns:
        tuple[Tensor, Tensor, Tensor]: ``(n, topk)`` values, ``(n, topk)``
        classes and ``(n,)`` log-sum-exp of the rest.
    """
    top, classes = logits.topk(topk, dim=1)
    rest = logits.scatter(1, classes, float('-inf'))
    return top, classes, torch.logsumexp(rest, dim=1)


def decode_topk(values: Tensor, classes: Tensor, rest: Tensor,
                num_classes: int) -> Tensor:
    """Logits from :func:`encode_topk`'s output: the kept values at their
    classes and ``rest - log(K - k)`` at every other class, so that the
    softmax (temperature 1) keeps the mass of the kept classes and spreads
    the rest evenly.

    Args:
        values (Tensor): ``(n, k)`` kept logits.
        classes (Tensor): ``(n, k)`` their classes.
        rest (Tensor): ``(n,)`` log-sum-exp of the other logits.
        num_classes (int): ``K``, > k.

    Returns:
        Tensor: ``(n, K)`` float32 logits.
    """
    fill = rest.float() - math.log(num_classes - values.shape[1])
    logits = fill[:, None].expand(-1, num_classes).clone()
    return logits.scatter(1, classes.long(), values.float())


def _index_dtype(num_classes: int) -> str:
    return 'int16' if num_classes <= 2**15 else 'int32'


@TASK_UTILS.register_module()
class TeacherOutputStore:
    """The teacher's logits of every (view, index) of a training set, in
    memory-mapped ``.npy`` files under ``path``, shared by every run, rank
    and dataloader-free reader that opens the same folder.

    A row is written once, by the rank that trains on that view of that
    sample, values first and its ``filled`` flag last, so a reader never
    takes a half-written row for a stored one. Rows of different samples
    never overlap, so ranks write without locks; the folder must be on a
    file system that every rank of the run sees (a local disk for one
    node).

    With ``topk`` a row keeps the ``k`` largest logits, their classes and
    the log-sum-exp of the others; :meth:`lookup` gives back every other
    class the same logit, ``rest - log(K - k)``, so that the softmax at
    temperature 1 has the stored mass on the top ``k`` classes and the
    rest spread evenly (docs/method.md#teacher-output-store says what that
    costs in KD loss).

    The folder holds ``meta.json`` (the fingerprint given at creation and
    the format) next to the arrays; opening a folder whose fingerprint or
    format differs is refused with the names of the parts that differ.

    Args:
        path (str): The store's folder; created when missing.
        fingerprint (dict): What the stored outputs depend on, as
            ``name -> str`` (teacher weights, its config, the training
            data and pipeline, the augmentation seed, the views).
        num_views (int): Views per sample, >= 1.
        num_samples (int): Samples of the training set, >= 1.
        num_classes (int): Logits per sample, >= 1.
        topk (int, optional): Keep only the ``k`` largest logits of a
            row, in ``[1, num_classes]``; None keeps all. Defaults to None.
        dtype (str): Value dtype, one of :data:`DTYPES`.
            Defaults to 'float16'.
        create (bool): Create the folder and arrays when missing; False
            waits for another process to have done it and raises if not.
            Defaults to True.
    """

    def __init__(self,
                 path: str,
                 fingerprint: Dict[str, str],
                 num_views: int,
                 num_samples: int,
                 num_classes: int,
                 topk: Optional[int] = None,
                 dtype: str = 'float16',
                 create: bool = True) -> None:
        if not isinstance(path, str) or not path:
            raise TypeError(f'path must be a folder path, got {path!r}')
        if not isinstance(fingerprint, dict) or not all(
                isinstance(k, str) and isinstance(v, str)
                for k, v in fingerprint.items()):
            raise TypeError('fingerprint must be a dict of str -> str, got '
                            f'{fingerprint!r}')
        check_int('num_views', num_views, 1)
        check_int('num_samples', num_samples, 1)
        check_int('num_classes', num_classes, 1)
        if topk is not None:
            check_int('topk', topk, 1)
            if topk > num_classes:
                raise ValueError(f'topk must be <= num_classes={num_classes}'
                                 f', got {topk}')
        check_choice('dtype', dtype, DTYPES)
        self.path = path
        self.fingerprint = dict(fingerprint)
        self.shape = (num_views, num_samples, num_classes)
        self.topk = None if topk is None or topk == num_classes else topk
        self.dtype = dtype
        meta = dict(fingerprint=self.fingerprint, format=self._format())
        meta_file = osp.join(path, META_FILE)
        if not osp.exists(meta_file):
            if not create:
                raise FileNotFoundError(
                    f'no teacher-output store at {path} ({META_FILE} is '
                    'missing)')
            self._create(meta)
        self._check_meta(meta_file, meta)
        self._open('r+')
        #: Rows looked up that were stored, and that were not.
        self.hits = 0
        self.misses = 0

    # ------------------------------------------------------------ reading
    def lookup(self, views: Tensor, indices: Tensor) -> Tuple[Tensor, Tensor]:
        """The stored logits of rows ``(views[i], indices[i])``.

        Args:
            views (Tensor): ``(n,)`` view of each row, in
                ``[0, num_views)``.
            indices (Tensor): ``(n,)`` dataset indices, in
                ``[0, num_samples)``.

        Returns:
            tuple[Tensor, Tensor]: ``(n, K)`` float32 logits (rows not
            stored are zero) and the ``(n,)`` bool mask of stored rows.
        """
        views, indices = self._check_rows(views, indices)
        hit = torch.from_numpy(self._filled[views, indices] == 1)
        self.hits += int(hit.sum())
        self.misses += int((~hit).sum())
        logits = torch.zeros(len(indices), self.shape[2])
        if bool(hit.any()):
            v, i = views[hit.numpy()], indices[hit.numpy()]
            logits[hit] = self._decode(v, i)
        return logits, hit

    def filled(self, view: Optional[int] = None) -> Tensor:
        """The bool mask of stored rows: ``(num_views, num_samples)``, or
        ``(num_samples,)`` of one ``view``."""
        mask = torch.from_numpy(np.array(self._filled) == 1)
        return mask if view is None else mask[view]

    def __len__(self) -> int:
        """The number of stored rows."""
        return int(np.count_nonzero(np.asarray(self._filled)))

    @property
    def nbytes(self) -> int:
        """The size of the store's arrays on disk, in bytes."""
        return store_nbytes(*self.shape, topk=self.topk, dtype=self.dtype)

    # ------------------------------------------------------------ writing
    def write(self, views: Tensor, indices: Tensor, logits: Tensor) -> None:
        """Store the logits of rows ``(views[i], indices[i])``.

        Args:
            views (Tensor): ``(n,)`` view of each row.
            indices (Tensor): ``(n,)`` dataset indices.
            logits (Tensor): ``(n, K)`` teacher logits, finite.
        """
        views, indices = self._check_rows(views, indices)
        logits = logits.detach().float().cpu()
        if logits.shape != (len(indices), self.shape[2]):
            raise ValueError(
                f'logits must have shape ({len(indices)}, {self.shape[2]}), '
                f'got {tuple(logits.shape)}')
        if not bool(torch.isfinite(logits).all()):
            raise ValueError('the teacher gave non-finite logits; they are '
                             'not stored')
        if not len(indices):
            return
        if self.topk is None:
            self._values[views, indices] = self._to_dtype(logits)
        else:
            top, classes, rest = encode_topk(logits, self.topk)
            self._values[views, indices] = self._to_dtype(top)
            self._classes[views, indices] = classes.numpy().astype(
                self._classes.dtype)
            self._rest[views, indices] = rest.numpy()
        self._filled[views, indices] = 1

    def flush(self) -> None:
        """Write the arrays' pages to disk."""
        for array in self._arrays():
            array.flush()

    # ------------------------------------------------------------ private
    def _format(self) -> Dict:
        num_views, num_samples, num_classes = self.shape
        return dict(
            num_views=num_views,
            num_samples=num_samples,
            num_classes=num_classes,
            topk=self.topk,
            dtype=self.dtype)

    def _files(self) -> Dict[str, Tuple[Tuple[int, ...], str]]:
        num_views, num_samples, num_classes = self.shape
        rows = (num_views, num_samples)
        files = dict(filled=(rows, 'uint8'))
        if self.topk is None:
            files['values'] = (rows + (num_classes, ), self.dtype)
        else:
            files['values'] = (rows + (self.topk, ), self.dtype)
            files['classes'] = (rows + (self.topk, ),
                                _index_dtype(num_classes))
            files['rest'] = (rows, 'float32')
        return files

    def _create(self, meta: Dict) -> None:
        os.makedirs(self.path, exist_ok=True)
        for name, (shape, dtype) in self._files().items():
            array = np.lib.format.open_memmap(
                osp.join(self.path, f'{name}.npy'),
                mode='w+',
                dtype=dtype,
                shape=shape)
            array.flush()
            del array
        # meta.json last: its presence says the arrays are complete.
        tmp = osp.join(self.path, META_FILE + '.tmp')
        with open(tmp, 'w') as f:
            json.dump(meta, f, indent=1, sort_keys=True)
        os.replace(tmp, osp.join(self.path, META_FILE))

    def _check_meta(self, meta_file: str, meta: Dict) -> None:
        with open(meta_file) as f:
            stored = json.load(f)
        differ = sorted(
            name for name in set(stored.get('fingerprint', {}))
            | set(meta['fingerprint']) if stored.get('fingerprint', {}).get(
                name) != meta['fingerprint'].get(name))
        if differ:
            raise ValueError(
                f'the teacher-output store at {self.path} was written for '
                f'another {", ".join(differ)}; its outputs would be wrong '
                'targets here. Use another folder (or the default, which is '
                'named by the fingerprint) or delete this one')
        if stored.get('format') != meta['format']:
            raise ValueError(
                f'the teacher-output store at {self.path} has the format '
                f'{stored.get("format")}, this run asks for '
                f'{meta["format"]}; use another folder or delete this one')

    def _open(self, mode: str) -> None:
        arrays = {
            name: np.load(osp.join(self.path, f'{name}.npy'), mmap_mode=mode)
            for name in self._files()
        }
        self._filled = arrays['filled']
        self._values = arrays['values']
        self._classes = arrays.get('classes')
        self._rest = arrays.get('rest')

    def _arrays(self) -> Sequence[np.memmap]:
        return [
            a for a in (self._filled, self._values, self._classes, self._rest)
            if a is not None
        ]

    def _to_dtype(self, values: Tensor) -> np.ndarray:
        if self.dtype == 'float16':
            limit = float(np.finfo(np.float16).max)
            values = values.clamp(-limit, limit)
        return values.numpy().astype(self.dtype)

    def _decode(self, views: np.ndarray, indices: np.ndarray) -> Tensor:
        values = torch.from_numpy(
            np.asarray(self._values[views, indices], dtype=np.float32))
        if self.topk is None:
            return values
        rest = torch.from_numpy(
            np.asarray(self._rest[views, indices], dtype=np.float32))
        classes = torch.from_numpy(
            np.asarray(self._classes[views, indices], dtype=np.int64))
        return decode_topk(values, classes, rest, self.shape[2])

    def _check_rows(self, views: Tensor,
                    indices: Tensor) -> Tuple[np.ndarray, np.ndarray]:
        views = torch.as_tensor(views, dtype=torch.long).reshape(-1).cpu()
        indices = torch.as_tensor(indices, dtype=torch.long).reshape(-1).cpu()
        if views.shape != indices.shape:
            raise ValueError(f'views and indices differ in length: '
                             f'{len(views)} and {len(indices)}')
        for name, values, size in (('views', views, self.shape[0]),
                                   ('indices', indices, self.shape[1])):
            if len(values) and (int(values.min()) < 0
                                or int(values.max()) >= size):
                raise IndexError(
                    f'{name} must be in [0, {size}) for the store at '
                    f'{self.path}, got {values.min()}..{values.max()}')
        return views.numpy(), indices.numpy()


def stored_teacher_logits(store: TeacherOutputStore, run_teacher: Callable,
                          inputs: Tensor, data_samples: SampleList) -> Tensor:
    """The teacher's logits of a batch: stored rows from ``store``, the
    teacher run on the others, which are then written.

    A sample's row is its ``sample_idx`` and its ``aug_view`` (set by
    :class:`~mmsakd.datasets.ReplayAugmentation`; 0 when missing, as for a
    pipeline with no randomness).

    Args:
        store (TeacherOutputStore): The store.
        run_teacher (Callable): Runs the teacher on inputs and returns its
            logits first.
        inputs (Tensor): The batch's preprocessed inputs.
        data_samples (list[ActionDataSample]): Their data samples, with
            ``sample_idx``.

    Returns:
        Tensor: ``(N, K)`` float32 logits on the inputs' device.
    """
    indices = sample_indices(
        data_samples, num_samples=store.shape[1], name='teacher store')
    views = torch.tensor(
        [int(s.metainfo.get('aug_view', 0)) for s in data_samples],
        dtype=torch.long)
    logits, hit = store.lookup(views, indices)
    logits = logits.to(inputs.device)
    if bool(hit.all()):
        return logits
    miss = (~hit).nonzero().flatten()
    new_logits = run_teacher(inputs[miss.to(inputs.device)])[0].float()
    store.write(views[miss], indices[miss], new_logits)
    logits[miss.to(inputs.device)] = new_logits
    return logits
