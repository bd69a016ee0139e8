"""A teacher-student wrapper of MMAction2 recognizers for SAKD (spec Eq. 9).
"""
import copy
import logging
import os.path as osp
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.utils import OptSampleList, SampleList
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor, nn

from mmsakd.registry import MODELS
from mmsakd.selection.features import pool_features
from ..losses.base_kd_loss import is_number

Features = Union[Tensor, Tuple[Tensor, ...]]
# Configs named by a relative ``cfg_path`` are looked up here after the CWD.
REPO_ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
TEACHER_PREFIX = 'teacher.'


@MODELS.register_module()
class SAKDDistiller(BaseModel):
    """Distils a frozen teacher recognizer into a student recognizer with a
    per-sample CE/KD mix (spec Eq. 9).

    Training loss of a batch of samples ``j``::

        L = mean_j [(1 - alpha_j) * CE_j + alpha_j * KD_j]

    ``CE_j`` is the student's cross-entropy and ``KD_j`` the per-sample loss
    of ``kd_loss`` (e.g. :class:`KDLoss`, spec Eq. 2). ``alpha_j`` is looked
    up by the sample's dataset index (``sample_idx`` in the data sample's
    metainfo) in the vector set by :meth:`set_sample_alpha`, which the SAKD
    hook updates each selection round. Until one is set, every sample uses
    the constant ``alpha``: this is the vanilla KD baseline (spec section 9),
    the same Eq. 9 with a fixed weight.

    The loss dict holds ``loss_ce`` and ``loss_kd`` (alpha-weighted batch
    means, so that they sum to ``L``), the student's auxiliary losses (e.g.
    TPN's ``loss_aux``) unchanged, and monitors that are not summed:
    ``ce_raw`` and ``kd_raw`` (unweighted batch means) and ``alpha_mean``.

    CE is plain ``F.cross_entropy`` on the student's logits with the head's
    ``label_smooth_eps``; the head's ``loss_cls`` (its ``loss_weight``,
    ``class_weight``) is not used. Soft labels ``(N, K)`` (e.g. from batch
    blending) are supported. Inputs with several views per sample
    (``num_clips * num_crops > 1``) are scored by the mean of the views'
    logits.

    The teacher:

    - is built from its config and loaded from ``teacher_ckpt`` here, at
      construction; missing and unexpected keys are logged.
    - is frozen: ``requires_grad=False``, always in eval mode (BN uses its
      running statistics, dropout is off), run under ``torch.no_grad()``.
    - is not a registered submodule: it is absent from ``parameters()`` (so
      no optimizer sees it, whatever the optimizer constructor), from
      ``init_weights`` (so the loaded weights are not re-initialised) and,
      unless ``save_teacher=True``, from ``state_dict()``. It still follows
      ``.to()``, ``.cuda()``, ``.half()`` and the like. Teacher keys
      (``teacher.*``) found in a loaded state dict are loaded into it.

    ``predict`` and ``tensor`` modes are the student's, and the data
    preprocessor is the student's (the teacher's must normalise the same
    way), so testing a distillation checkpoint evaluates the student.
    ``tools/convert_to_student.py`` turns it into a plain student checkpoint.

    ``student`` and ``teacher`` are recognizer configs: either a model dict
    (``dict(type='Recognizer3D', ...)``) or ``dict(cfg_path=PATH, **kw)``,
    which takes ``model`` from the config file ``PATH`` and merges ``kw``
    into it (e.g. ``cls_head=dict(dropout_ratio=0.)``). A relative ``PATH``
    is looked up in the current directory, then in the mmsakd repository
    root; ``package::path`` names a config shipped with an installed
    OpenMMLab package (``mmaction::recognition/...``).

    Args:
        student (dict): Config of the student recognizer.
        teacher (dict): Config of the teacher recognizer.
        teacher_ckpt (str, optional): Checkpoint of the teacher, a path
            relative to the current directory or a URL. None leaves the
            teacher as its ``init_weights`` makes it (only for tests and
            debugging; a warning is logged). Defaults to None.
        kd_loss (dict): Config of the distillation loss, a
            :class:`BaseKDLoss` (anything with a ``per_sample(**kwargs)``
            method returning ``(N,)``). Defaults to
            ``dict(type='KDLoss', tau=4.0)``.
        alpha (float): Weight of the KD term for every sample while no
            per-sample weights are set, in ``[0, 1]``. Defaults to 0.5.
        save_teacher (bool): Include the teacher's weights (``teacher.*``)
            in ``state_dict()`` and so in every saved checkpoint.
            Defaults to False.
        student_ckpt (str, optional): Checkpoint the student starts from (a
            plain recognizer or a distillation checkpoint; path or URL),
            loaded by :meth:`init_weights` after the student's own
            initialisation, e.g. a pretrained student to fine-tune.
            Tensors of another shape (a classifier trained on another label
            set) keep their initial values and are logged. With ``resume``
            or ``load_from`` the Runner loads its checkpoint afterwards, so
            those weights win.
            Defaults to None.
        data_preprocessor (dict, optional): Must be None: the distiller uses
            the student's. Put it in the student's config instead.
            Defaults to None.
        init_cfg (dict, optional): Initialisation config of the distiller.
            Defaults to None.
    """

    def __init__(self,
                 student: dict,
                 teacher: dict,
                 teacher_ckpt: Optional[str] = None,
                 kd_loss: dict = dict(type='KDLoss', tau=4.0),
                 alpha: float = 0.5,
                 save_teacher: bool = False,
                 student_ckpt: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is not None:
            raise ValueError(
                'SAKDDistiller uses the student\'s data_preprocessor; set it '
                'in model.student (and the same normalisation in '
                'model.teacher) instead of passing data_preprocessor, got '
                f'{data_preprocessor!r}')
        if not is_number(alpha) or not 0 <= alpha <= 1:
            raise ValueError(
                f'alpha must be a number in [0, 1], got {alpha!r}')
        for key, value in (('teacher_ckpt', teacher_ckpt), ('student_ckpt',
                                                            student_ckpt)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f'{key} must be a path (str) or None, got '
                                f'{type(value).__name__}')

        student_model = MODELS.build(resolve_model_cfg(student, 'student'))
        teacher_model = MODELS.build(resolve_model_cfg(teacher, 'teacher'))
        _check_compatible(student_model, teacher_model)

        super().__init__(
            data_preprocessor=student_model.data_preprocessor,
            init_cfg=init_cfg)
        self.student = student_model
        self.kd_loss = MODELS.build(kd_loss)
        if not callable(getattr(self.kd_loss, 'per_sample', None)):
            raise TypeError(
                'kd_loss must have a per_sample(**kwargs) method returning '
                'one loss per sample (see BaseKDLoss), got '
                f'{type(self.kd_loss).__name__}')
        self.alpha = float(alpha)
        self.save_teacher = bool(save_teacher)
        self.teacher_ckpt = teacher_ckpt
        self.student_ckpt = student_ckpt
        self._sample_alpha: Optional[Tensor] = None

        # Stored past nn.Module.__setattr__ so that it is no submodule.
        object.__setattr__(self, '_teacher', teacher_model)
        self._init_teacher(teacher_ckpt)
        self.register_state_dict_post_hook(_add_teacher_state)
        self.register_load_state_dict_pre_hook(_load_teacher_state)

    def init_weights(self) -> None:
        """Initialise the student, then load ``student_ckpt`` if given."""
        super().init_weights()
        if self.student_ckpt is not None:
            _load_recognizer_checkpoint(
                self.student,
                self.student_ckpt,
                'student',
                skip_mismatched=True)

    @property
    def teacher(self) -> nn.Module:
        """The frozen teacher recognizer (not a registered submodule)."""
        return self._teacher

    @property
    def sample_alpha(self) -> Optional[Tensor]:
        """A copy of the per-sample ``alpha`` set by :meth:`set_sample_alpha`,
        or None."""
        if self._sample_alpha is None:
            return None
        return self._sample_alpha.clone()

    def set_sample_alpha(self, alpha: Optional[Tensor]) -> None:
        """Set the KD weight of every training sample (spec Eq. 6), indexed
        by dataset index; None returns to the constant ``alpha``.

        Args:
            alpha (Tensor, optional): ``(N,)`` values in ``[0, 1]``, N the
                size of the training set. Copied.
        """
        if alpha is None:
            self._sample_alpha = None
            return
        if not isinstance(alpha, Tensor):
            raise TypeError('alpha must be a 1-D tensor or None, got '
                            f'{type(alpha).__name__}')
        if alpha.dim() != 1 or alpha.numel() == 0:
            raise ValueError('alpha must be a non-empty 1-D tensor (one value '
                             'per training sample), got shape '
                             f'{tuple(alpha.shape)}')
        alpha = alpha.detach().to(device='cpu', dtype=torch.float32)
        if not torch.isfinite(alpha).all() or alpha.min() < 0 or \
                alpha.max() > 1:
            raise ValueError('alpha values must be in [0, 1], got min '
                             f'{alpha.min().item()} and max '
                             f'{alpha.max().item()}')
        self._sample_alpha = alpha.clone()

    def forward(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, Tensor], SampleList, Features]:
        """``loss``: the distillation loss; ``predict`` and ``tensor``: the
        student's outputs.

        Args:
            inputs (Tensor): Preprocessed inputs, ``(N, V, C, T, H, W)`` for
                3D recognizers.
            data_samples (list[ActionDataSample], optional): Their data
                samples; ``loss`` needs ``gt_label`` and, once per-sample
                weights are set, ``sample_idx``. Defaults to None.
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.
                Defaults to ``'tensor'``.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(f'Invalid mode "{mode}". '
                           'Only supports loss, predict and tensor mode')

    def loss(self, inputs: Tensor,
             data_samples: SampleList) -> Dict[str, Tensor]:
        """The training loss of spec Eq. 9 and the student's auxiliary
        losses.

        Args:
            inputs (Tensor): Preprocessed inputs.
            data_samples (list[ActionDataSample]): With ``gt_label`` and,
                once per-sample weights are set, ``sample_idx``.

        Returns:
            dict[str, Tensor]: ``loss_ce``, ``loss_kd``, the student's
            auxiliary losses, and the monitors ``ce_raw``, ``kd_raw``,
            ``alpha_mean``.
        """
        if not data_samples:
            raise ValueError('loss mode needs the batch\'s data_samples')
        student_logits, student_feats, aux_losses = _run_recognizer(
            self.student, inputs, data_samples)
        teacher_logits, teacher_feats = self._run_teacher(inputs)
        labels = _labels(data_samples, student_logits)
        kd = self._per_sample_kd(student_logits, teacher_logits, student_feats,
                                 teacher_feats, labels)
        ce = F.cross_entropy(
            student_logits.float(),
            labels,
            reduction='none',
            label_smoothing=float(
                getattr(self.student.cls_head, 'label_smooth_eps', 0.0)))
        alpha = self._batch_alpha(data_samples, device=ce.device)
        losses = dict(
            loss_ce=((1 - alpha) * ce).mean(),
            loss_kd=(alpha * kd).mean(),
            ce_raw=ce.detach().mean(),
            kd_raw=kd.detach().mean(),
            alpha_mean=alpha.mean())
        for name, value in aux_losses.items():
            if name in losses:
                raise KeyError(f'the student\'s auxiliary loss "{name}" '
                               'clashes with a distiller loss key')
            losses[name] = value
        return losses

    @torch.no_grad()
    def score(self,
              inputs: Tensor,
              data_samples: OptSampleList = None) -> Dict[str, Tensor]:
        """Per-sample distillation loss and pooled teacher features, for the
        SAKD scoring pass (spec Eq. 3, Eq. 7).

        Runs under ``no_grad`` with the student in eval mode (BN with running
        statistics, no dropout), like the teacher, so that the scores of a
        sample do not depend on the rest of its batch; the train/eval flag of
        every student module is restored afterwards and no BN statistics
        change. Auxiliary heads (TPN) are not run.

        Args:
            inputs (Tensor): Already preprocessed (and possibly interrupted)
                inputs of N samples.
            data_samples (list[ActionDataSample], optional): Their data
                samples; their labels are passed to the KD loss when every
                one has ``gt_label``. Defaults to None.

        Returns:
            dict[str, Tensor]: ``kd_loss`` ``(N,)`` unweighted by alpha;
            ``teacher_feat`` ``(N, c)`` float32, the teacher's backbone (or
            neck) features averaged over time, space and views, SlowFast's
            two pathways concatenated (slow, fast); ``student_logits`` and
            ``teacher_logits`` ``(N, K)``.
        """
        modes = [(module, module.training)
                 for module in self.student.modules()]
        self.student.eval()
        try:
            student_logits, student_feats, _ = _run_recognizer(
                self.student, inputs)
            teacher_logits, teacher_feats = self._run_teacher(inputs)
            labels = None
            if data_samples and all('gt_label' in sample
                                    for sample in data_samples):
                labels = _labels(data_samples, student_logits)
            kd = self._per_sample_kd(student_logits, teacher_logits,
                                     student_feats, teacher_feats, labels)
        finally:
            for module, training in modes:
                module.training = training
        num_views = _first_tensor(teacher_feats).shape[0] // inputs.shape[0]
        return dict(
            kd_loss=kd,
            teacher_feat=pool_features(teacher_feats, num_views=num_views),
            student_logits=student_logits,
            teacher_logits=teacher_logits)

    def train(self, mode: bool = True) -> 'SAKDDistiller':
        """Set the student's mode; the teacher stays in eval mode."""
        super().train(mode)
        self._teacher.eval()
        return self

    def _apply(self, fn, *args, **kwargs) -> 'SAKDDistiller':
        # Device and dtype moves must reach the unregistered teacher too.
        super()._apply(fn, *args, **kwargs)
        self._teacher._apply(fn, *args, **kwargs)
        return self

    def extra_repr(self) -> str:
        return (f'alpha={self.alpha}, save_teacher={self.save_teacher}, '
                f'teacher={type(self._teacher).__name__} (frozen, not a '
                f'submodule), teacher_ckpt={self.teacher_ckpt!r}')

    def _run_teacher(self, inputs: Tensor) -> Tuple[Tensor, Features]:
        """Teacher logits and features, in eval mode, without gradient."""
        # Also undoes a train() called on the teacher itself.
        self._teacher.eval()
        with torch.no_grad():
            logits, feats, _ = _run_recognizer(self._teacher, inputs)
        return logits, feats

    def _per_sample_kd(self, student_logits: Tensor, teacher_logits: Tensor,
                       student_feats: Features, teacher_feats: Features,
                       labels: Optional[Tensor]) -> Tensor:
        kd = self.kd_loss.per_sample(
            student_logits=student_logits,
            teacher_logits=teacher_logits,
            student_feats=student_feats,
            teacher_feats=teacher_feats,
            labels=labels,
            # For losses that run parts of the teacher (CrossKD's head).
            teacher=self._teacher,
            # For losses that run parts of the student (DualKD's EMA head).
            student=self.student)
        if kd.shape != (student_logits.shape[0], ):
            raise ValueError(
                f'{type(self.kd_loss).__name__}.per_sample must return one '
                f'value per sample, shape ({student_logits.shape[0]},), got '
                f'{tuple(kd.shape)}')
        return kd.float()

    def _batch_alpha(self, data_samples: SampleList,
                     device: torch.device) -> Tensor:
        """The KD weight of each sample of the batch."""
        if self._sample_alpha is None:
            return torch.full((len(data_samples), ), self.alpha, device=device)
        indices = _sample_indices(data_samples, len(self._sample_alpha))
        return self._sample_alpha[indices].to(device)

    def _init_teacher(self, teacher_ckpt: Optional[str]) -> None:
        """Load the teacher's weights and freeze it."""
        teacher = self._teacher
        if teacher_ckpt is None:
            teacher.init_weights()
            print_log(
                'SAKDDistiller: model.teacher_ckpt is None, so the teacher '
                'keeps its initial (untrained) weights',
                logger='current',
                level=logging.WARNING)
        else:
            _load_recognizer_checkpoint(teacher, teacher_ckpt, 'teacher')
        # The weights are final: a later init_weights() must not reset them.
        teacher._is_init = True
        teacher.requires_grad_(False)
        teacher.eval()


def resolve_model_cfg(cfg: dict, name: str) -> dict:
    """A plain model dict from ``cfg``, resolving ``cfg_path``."""
    if not isinstance(cfg, dict):
        raise TypeError(f'model.{name} must be a model config dict or '
                        f'dict(cfg_path=...), got {type(cfg).__name__}')
    cfg = cfg.to_dict() if isinstance(cfg, ConfigDict) else copy.deepcopy(
        dict(cfg))
    cfg_path = cfg.pop('cfg_path', None)
    if cfg_path is None:
        if 'type' not in cfg:
            raise ValueError(f'model.{name} must have "type" (a model config) '
                             'or "cfg_path" (a config file with `model`), got '
                             f'keys {sorted(cfg)}')
        return cfg
    file_cfg = _load_config(cfg_path, name)
    if 'model' not in file_cfg:
        raise KeyError(f'model.{name}.cfg_path={cfg_path!r} defines no '
                       '`model`')
    merged = Config(dict(model=file_cfg.model.to_dict()))
    if cfg:
        merged.merge_from_dict(dict(model=cfg))
    return merged.model.to_dict()


def _load_config(cfg_path: str, name: str) -> Config:
    if '::' in cfg_path:
        from mmengine.hub import get_config
        return get_config(cfg_path)
    path = osp.expanduser(cfg_path)
    candidates = [path] if osp.isabs(path) else [
        osp.abspath(path), osp.join(REPO_ROOT, path)
    ]
    for candidate in candidates:
        if osp.isfile(candidate):
            return Config.fromfile(candidate)
    raise FileNotFoundError(
        f'model.{name}.cfg_path: config file not found: {cfg_path!r} '
        f'(looked for {candidates})')


def _num_classes(model: nn.Module, name: str) -> int:
    num_classes = getattr(
        getattr(model, 'cls_head', None), 'num_classes', None)
    if num_classes is None:
        raise ValueError(f'the {name} ({type(model).__name__}) needs a '
                         'cls_head with num_classes')
    return int(num_classes)


def _preprocessing(model: nn.Module) -> dict:
    """What the data preprocessor does to the inputs, comparably."""
    preprocessor = model.data_preprocessor

    def values(name: str) -> Optional[List[float]]:
        tensor = getattr(preprocessor, name, None)
        if tensor is None:
            return None
        return [round(v, 6) for v in tensor.flatten().tolist()]

    return dict(
        type=type(preprocessor).__name__,
        mean=values('mean'),
        std=values('std'),
        format_shape=getattr(preprocessor, 'format_shape', None),
        to_rgb=getattr(preprocessor, 'to_rgb', None))


def _check_compatible(student: nn.Module, teacher: nn.Module) -> None:
    """Both models must see the same inputs and predict the same
    classes."""
    student_classes = _num_classes(student, 'student')
    teacher_classes = _num_classes(teacher, 'teacher')
    if student_classes != teacher_classes:
        raise ValueError(
            'teacher and student must predict the same classes, but the '
            f'teacher has num_classes={teacher_classes} and the student '
            f'num_classes={student_classes}')
    student_pre, teacher_pre = _preprocessing(student), _preprocessing(teacher)
    if student_pre != teacher_pre:
        raise ValueError(
            'the teacher is fed the student\'s preprocessed inputs, so their '
            'data_preprocessors must match; student: '
            f'{student_pre}, teacher: {teacher_pre}')


def _load_recognizer_checkpoint(model: nn.Module,
                                ckpt: str,
                                name: str,
                                skip_mismatched: bool = False) -> None:
    """Load a recognizer checkpoint into the teacher or the student.

    Accepts plain recognizer checkpoints and distillation checkpoints (keys
    ``student.*`` or ``teacher.*``, matching ``name``), also when saved from
    a DDP-wrapped model (``module.*``). With ``skip_mismatched``, tensors
    whose shape differs from the model's (e.g. the classifier of a
    checkpoint trained on another label set) are left out and logged.
    """
    key = f'model.{name}_ckpt'
    if '://' not in ckpt and not osp.isfile(osp.expanduser(ckpt)):
        hint = ('train the teacher first, e.g. with `make demo`, or set '
                f'{key}') if name == 'teacher' else f'set {key}'
        raise FileNotFoundError(
            f'{name} checkpoint not found: {ckpt!r} (config key {key}, '
            f'relative to the current directory {osp.abspath(".")}); {hint}')
    checkpoint = CheckpointLoader.load_checkpoint(
        osp.expanduser(ckpt), map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint) if isinstance(
        checkpoint, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{key}={ckpt!r} holds no state dict')
    state = {_strip_prefix(k, 'module.'): v for k, v in state.items()}
    prefix = f'{name}.'
    if any(k.startswith(prefix) for k in state):
        state = {
            k[len(prefix):]: v
            for k, v in state.items() if k.startswith(prefix)
        }
    expected = model.state_dict()
    if not any(k in expected for k in state):
        raise ValueError(
            f'{key}={ckpt!r} shares no key with the {name} model: it has '
            f'e.g. {sorted(state)[:3]}, the {name} e.g. '
            f'{sorted(expected)[:3]}')
    skipped = []
    if skip_mismatched:
        skipped = sorted(k for k, v in state.items()
                         if k in expected and hasattr(v, 'shape')
                         and v.shape != expected[k].shape)
        state = {k: v for k, v in state.items() if k not in skipped}
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as err:
        raise RuntimeError(
            f'cannot load {key}={ckpt!r} into the {name}: {err}') from err
    # Skipped tensors are reported once, as skipped, not also as missing.
    missing = [
        k for k in result.missing_keys
        if not k.endswith('num_batches_tracked') and k not in skipped
    ]
    unexpected = list(result.unexpected_keys)
    message = (f'SAKDDistiller: loaded the {name} from {ckpt} '
               f'({len(state)} tensors); missing keys: '
               f'{", ".join(missing) or "none"}; unexpected keys: '
               f'{", ".join(unexpected) or "none"}; skipped for a shape '
               f'mismatch: {", ".join(skipped) or "none"}')
    print_log(
        message,
        logger='current',
        level=logging.WARNING
        if missing or unexpected or skipped else logging.INFO)


def _strip_prefix(key: str, prefix: str) -> str:
    return key[len(prefix):] if key.startswith(prefix) else key


def _run_recognizer(
    model: nn.Module,
    inputs: Tensor,
    data_samples: OptSampleList = None
) -> Tuple[Tensor, Features, Dict[str, Tensor]]:
    """Logits ``(N, K)`` (views averaged), features and auxiliary losses of
    a recognizer in its current mode.

    The same path as ``BaseRecognizer.loss`` up to the head's logits; the
    neck computes auxiliary losses (TPN) only when given ``data_samples``.
    """
    feats, head_kwargs = model.extract_feat(inputs, data_samples=data_samples)
    aux_losses = head_kwargs.pop('loss_aux', None) or {}
    logits = model.cls_head(feats, **head_kwargs)
    return _average_views(logits, inputs.shape[0]), feats, aux_losses


def _average_views(logits: Tensor, batch_size: int) -> Tensor:
    """``(N * V, K)`` -> ``(N, K)``: the mean over a sample's views, which
    recognizers fold into the batch sample-major."""
    rows = logits.shape[0]
    if rows == batch_size:
        return logits
    if rows % batch_size:
        raise ValueError(f'{rows} rows of logits for a batch of {batch_size} '
                         'samples')
    return logits.view(batch_size, rows // batch_size, -1).mean(dim=1)


def _first_tensor(feats: Features) -> Tensor:
    return feats if isinstance(feats, Tensor) else _first_tensor(feats[0])


def _labels(data_samples: SampleList, logits: Tensor) -> Tensor:
    """``(N,)`` class indices, or ``(N, K)`` float soft labels."""
    for sample in data_samples:
        if 'gt_label' not in sample:
            raise ValueError('every data sample needs a gt_label for the '
                             'distillation loss')
    labels = torch.stack([
        torch.as_tensor(sample.gt_label) for sample in data_samples
    ]).to(logits.device)
    num_samples = len(data_samples)
    if labels.is_floating_point() and labels.shape == logits.shape:
        return labels.float()
    if labels.numel() != num_samples:
        raise ValueError('gt_label must be one class index per sample or '
                         f'soft labels of shape {tuple(logits.shape)}, got '
                         f'{tuple(labels.shape)} for {num_samples} samples')
    return labels.view(num_samples).long()


def _sample_indices(data_samples: SampleList, num_samples: int) -> Tensor:
    """The dataset index of each sample, checked against ``num_samples``."""
    indices: List[int] = []
    for sample in data_samples:
        index = sample.metainfo.get('sample_idx', None)
        if index is None:
            raise ValueError(
                'per-sample alpha needs each data sample\'s dataset index: '
                'add \'sample_idx\' to the meta_keys of PackActionInputs in '
                'the training pipeline')
        index = int(index)
        if not 0 <= index < num_samples:
            raise ValueError(
                f'sample_idx {index} is out of range for the per-sample '
                f'alpha of {num_samples} samples (set_sample_alpha must get '
                'one value per training sample)')
        indices.append(index)
    return torch.tensor(indices, dtype=torch.long)


def _add_teacher_state(module: SAKDDistiller, state_dict: dict, prefix: str,
                       local_metadata: dict) -> None:
    """State-dict post-hook: add ``teacher.*`` when ``save_teacher``."""
    if not module.save_teacher:
        return
    for key, value in module.teacher.state_dict().items():
        state_dict[prefix + TEACHER_PREFIX + key] = value


def _load_teacher_state(module: SAKDDistiller, state_dict: dict, prefix: str,
                        local_metadata: dict, strict: bool,
                        missing_keys: List[str], unexpected_keys: List[str],
                        error_msgs: List[str]) -> None:
    """Load-state-dict pre-hook: move ``teacher.*`` keys into the teacher,
    so that they are not reported as unexpected."""
    teacher_prefix = prefix + TEACHER_PREFIX
    keys = [key for key in state_dict if key.startswith(teacher_prefix)]
    if not keys:
        return
    teacher_state = {
        key[len(teacher_prefix):]: state_dict.pop(key)
        for key in keys
    }
    result = module.teacher.load_state_dict(teacher_state, strict=False)
    missing_keys.extend(teacher_prefix + key for key in result.missing_keys)
    unexpected_keys.extend(teacher_prefix + key
                           for key in result.unexpected_keys)
