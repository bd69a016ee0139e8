"""A teacher-student wrapper of MMAction2 recognizers for SAKD (Eq. 9,
docs/method.md#training-loss): the student, a frozen teacher
(:mod:`.teacher`), the per-sample tables of Eq. 9 (:mod:`.sample_tables`)
and the teacher-output cache (:mod:`mmsakd.models.utils.teacher_cache`)."""
from typing import Dict, Optional, Union

import torch
import torch.nn.functional as F
from mmaction.utils import OptSampleList, SampleList
from mmengine.model import BaseModel
from torch import Tensor

from mmsakd.registry import MODELS
from mmsakd.selection.features import pool_features
from ..utils import (Features, batch_labels, check_compatible, first_tensor,
                     interrupt_layout, interrupt_settings,
                     interrupt_training_batch, load_recognizer_checkpoint,
                     resolve_model_cfg, run_recognizer)
from ..utils.teacher_cache import (add_cache_state, build_teacher_cache,
                                   cached_teacher_logits, load_cache_state)
from ..utils.teacher_store import stored_teacher_logits
from .sample_tables import SampleTables, SampleTablesMixin
from .teacher import FrozenTeacherMixin, check_teacher_settings


@MODELS.register_module()
class SAKDDistiller(SampleTablesMixin, FrozenTeacherMixin, BaseModel):
    """Distils a frozen teacher recognizer into a student recognizer with a
    per-sample CE/KD mix (Eq. 9, docs/method.md#training-loss).

    Training loss of a batch of samples ``j``::

        L = mean_j [(1 - alpha_j) * CE_j + alpha_j * KD_j]

    ``CE_j`` is the student's cross-entropy and ``KD_j`` the per-sample loss
    of ``kd_loss`` (e.g. :class:`KDLoss`, Eq. 2). ``alpha_j`` is looked
    up by the sample's dataset index (``sample_idx`` in the data sample's
    metainfo) in the vector set by :meth:`set_sample_alpha`, which the SAKD
    hook updates each selection round. Until one is set, every sample uses
    the constant ``alpha``: this is the vanilla KD baseline
    (docs/method.md#vanilla-baselines), the same Eq. 9 with a fixed weight.

    A per-sample loss weight ``w_j`` can be set too (:meth:`set_sample_weight`,
    looked up by ``sample_idx`` as ``alpha_j``); the InfoBatch baseline uses
    it to up-weight the kept low-loss samples
    (docs/method.md#baselines-for-the-benchmark). The loss is then::

        L = mean_j [w_j * ((1 - alpha_j) * CE_j + alpha_j * KD_j)]

    The loss dict holds ``loss_ce`` and ``loss_kd`` (alpha-weighted, and
    ``w``-weighted if set, batch means, so that they sum to ``L``), the
    student's auxiliary losses (e.g. TPN's ``loss_aux``) unchanged, and
    monitors that are not summed: ``ce_raw`` and ``kd_raw`` (unweighted batch
    means) and ``alpha_mean``.

    The per-sample values live in :attr:`sample_tables`
    (:class:`~mmsakd.models.distillers.sample_tables.SampleTables`), which
    also keeps each batch's per-sample losses for hooks
    (:attr:`last_sample_losses`).

    CE is plain ``F.cross_entropy`` on the student's logits with the head's
    ``label_smooth_eps``; the head's ``loss_cls`` (its ``loss_weight``,
    ``class_weight``) is not used. Soft labels ``(N, K)`` (e.g. from batch
    blending) are supported. Inputs with several views per sample
    (``num_clips * num_crops > 1``) are scored by the mean of the views'
    logits.

    The teacher is built from its config and loaded from ``teacher_ckpt``
    at construction (missing and unexpected keys are logged), then frozen
    and kept out of the registered submodules, so out of ``parameters()``,
    ``init_weights`` and, unless ``save_teacher=True``, ``state_dict()``
    (:class:`~mmsakd.models.distillers.teacher.FrozenTeacherMixin`).

    ``predict`` and ``tensor`` modes are the student's, and the data
    preprocessor is the student's (the teacher's must normalise the same
    way), so testing a distillation checkpoint evaluates the student.
    ``tools/convert_to_student.py`` turns it into a plain student checkpoint.

    ``student`` and ``teacher`` are recognizer configs: either a model dict
    (``dict(type='Recognizer3D', ...)``) or ``dict(cfg_path=PATH, **kw)``,
    which takes ``model`` from the config file ``PATH`` (relative to the
    current directory, or ``package::path`` of an installed OpenMMLab
    package) and merges ``kw`` into it
    (:func:`~mmsakd.models.utils.resolve_model_cfg`).

    With ``interrupt_train``, :meth:`loss` first interrupts the preprocessed
    training batch with the dropout-shuffle of the scoring pass
    (:func:`~mmsakd.selection.interrupt_batch`, by default with batch
    scope: shuffled frames come from other clips of the batch), at the
    epoch's rate ``beta(n)`` (Eq. 4, docs/method.md#interruption-rate;
    :func:`~mmsakd.models.utils.interrupt_training_batch`), and feeds the
    same interrupted batch to the student and the teacher. Use it to train
    on clips interrupted exactly as the scoring pass scores them. The
    pipeline transform
    :class:`~mmsakd.datasets.transforms.DropoutShuffle` is the alternative
    for the data side: it interrupts within one clip (a dataloader worker
    sees one clip at a time), before preprocessing, and costs the model
    nothing (docs/method.md#dropout-shuffle-interruption). With both, a
    clip is interrupted twice.

    Args:
        student (dict): Config of the student recognizer.
        teacher (dict): Config of the teacher recognizer.
        teacher_ckpt (str, optional): Checkpoint of the teacher, a path
            relative to the current directory or a URL. None is refused
            unless ``untrained_teacher``. Defaults to None.
        strict_teacher (bool): Refuse a teacher checkpoint that lacks any
            of the teacher's tensors (``num_batches_tracked`` aside) or has
            one of another shape, naming the first keys. False loads what
            matches and logs the rest as a warning (e.g. a teacher whose
            classifier will be fine-tuned). Defaults to True.
        untrained_teacher (bool): Allow ``teacher_ckpt=None``: the teacher
            keeps the weights its ``init_weights`` gives it, and a warning
            is logged. Only for tests and speed measurements: distilling
            from it teaches noise. Defaults to False.
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
        interrupt_train (dict | bool, optional): Interrupt the training
            batches (see above): a dict with any of ``eta`` (the
            dropout/shuffle threshold, in ``(0, 1]``), ``theta`` (the power
            of Eq. 4, > 0), ``scope`` (``'batch'`` or ``'clip'``),
            ``patch_size`` (patch side for inputs without a time axis,
            >= 1) and ``seed`` (>= 0); their defaults are ``dict(eta=0.5,
            theta=0.9, scope='batch', patch_size=4, seed=0)``, which True
            takes. None or False: off. Defaults to None.
        teacher_cache (dict | bool, optional): Keep the teacher's logits of
            each training clip and run the teacher only on clips not seen
            before (:class:`~mmsakd.models.utils.TeacherOutputCache`,
            docs/method.md#teacher-output-cache): a config dict of the
            cache, or True for the default one. Exact only for a
            deterministic training pipeline; needs a ``kd_loss`` with
            ``teacher_logits_only`` (KD, DKD, CTKD), ``sample_idx`` in the
            meta keys, and no ``interrupt_train``. The scoring pass always
            runs the teacher. None or False: off. Defaults to None.
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
                 strict_teacher: bool = True,
                 untrained_teacher: bool = False,
                 kd_loss: dict = dict(type='KDLoss', tau=4.0),
                 alpha: float = 0.5,
                 save_teacher: bool = False,
                 student_ckpt: Optional[str] = None,
                 interrupt_train: Union[None, bool, dict] = None,
                 teacher_cache: Union[None, bool, dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is not None:
            raise ValueError(
                'SAKDDistiller uses the student\'s data_preprocessor; set it '
                'in model.student (and the same normalisation in '
                'model.teacher) instead of passing data_preprocessor, got '
                f'{data_preprocessor!r}')
        sample_tables = SampleTables(alpha)
        check_teacher_settings(teacher_ckpt, strict_teacher, untrained_teacher)
        if student_ckpt is not None and not isinstance(student_ckpt, str):
            raise TypeError('student_ckpt must be a path (str) or None, got '
                            f'{type(student_ckpt).__name__}')
        interrupt = interrupt_settings(interrupt_train)

        student_model = MODELS.build(resolve_model_cfg(student, 'student'))
        teacher_model = MODELS.build(resolve_model_cfg(teacher, 'teacher'))
        check_compatible(student_model, teacher_model)

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
        self.sample_tables = sample_tables
        self.save_teacher = bool(save_teacher)
        self.teacher_ckpt = teacher_ckpt
        self.strict_teacher = bool(strict_teacher)
        self.student_ckpt = student_ckpt
        self.interrupt_train = interrupt
        self._interrupt_layout = None if interrupt is None else \
            interrupt_layout(
                getattr(self.data_preprocessor, 'format_shape', None))
        self.teacher_cache = build_teacher_cache(teacher_cache, self.kd_loss,
                                                 self.interrupt_train)
        #: A :class:`~mmsakd.models.utils.TeacherOutputStore` that
        #: ``TeacherStoreHook`` attaches for training; None: off.
        self.teacher_store = None
        self._attach_teacher(teacher_model, teacher_ckpt, self.strict_teacher)
        self.register_state_dict_post_hook(add_cache_state)
        self.register_load_state_dict_pre_hook(load_cache_state)

    def init_weights(self) -> None:
        """Initialise the student, then load ``student_ckpt`` if given."""
        super().init_weights()
        if self.student_ckpt is not None:
            load_recognizer_checkpoint(
                self.student,
                self.student_ckpt,
                'student',
                skip_mismatched=True)

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
        """The training loss of Eq. 9 (docs/method.md#training-loss) and the
        student's auxiliary losses.

        Args:
            inputs (Tensor): Preprocessed inputs; interrupted here first with
                ``interrupt_train``.
            data_samples (list[ActionDataSample]): With ``gt_label`` and,
                once per-sample alpha or loss weights are set,
                ``sample_idx``.

        Returns:
            dict[str, Tensor]: ``loss_ce``, ``loss_kd``, the student's
            auxiliary losses, and the monitors ``ce_raw``, ``kd_raw``,
            ``alpha_mean``.
        """
        if not data_samples:
            raise ValueError('loss mode needs the batch\'s data_samples')
        # A record left from an earlier batch must not pass for this one's.
        self.last_sample_losses = None
        if self.interrupt_train is not None:
            inputs = interrupt_training_batch(inputs, self.interrupt_train,
                                              self._interrupt_layout)
        student_logits, student_feats, aux_losses = run_recognizer(
            self.student, inputs, data_samples)
        if self.teacher_store is not None:
            teacher_logits = stored_teacher_logits(self.teacher_store,
                                                   self._run_teacher, inputs,
                                                   data_samples)
            teacher_feats = None
        elif self.teacher_cache is None:
            teacher_logits, teacher_feats = self._run_teacher(inputs)
        else:
            teacher_logits = cached_teacher_logits(self.teacher_cache,
                                                   self._run_teacher, inputs,
                                                   data_samples)
            teacher_feats = None
        labels = batch_labels(data_samples, student_logits)
        kd = self._per_sample_kd(student_logits, teacher_logits, student_feats,
                                 teacher_feats, labels)
        ce = F.cross_entropy(
            student_logits.float(),
            labels,
            reduction='none',
            label_smoothing=float(
                getattr(self.student.cls_head, 'label_smooth_eps', 0.0)))
        alpha = self.sample_tables.batch_alpha(data_samples, device=ce.device)
        weight = self.sample_tables.batch_weight(
            data_samples, device=ce.device)
        if weight is None:
            loss_ce = ((1 - alpha) * ce).mean()
            loss_kd = (alpha * kd).mean()
        else:
            loss_ce = (weight * (1 - alpha) * ce).mean()
            loss_kd = (weight * alpha * kd).mean()
        self.sample_tables.record_losses(data_samples, alpha, ce, kd)
        losses = dict(
            loss_ce=loss_ce,
            loss_kd=loss_kd,
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
        SAKD scoring pass (Eq. 3, docs/method.md#difficulty; Eq. 7,
        docs/method.md#fused-teacher-features).

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
            student_logits, student_feats, _ = run_recognizer(
                self.student, inputs)
            teacher_logits, teacher_feats = self._run_teacher(inputs)
            labels = None
            if data_samples and all('gt_label' in sample
                                    for sample in data_samples):
                labels = batch_labels(data_samples, student_logits)
            kd = self._per_sample_kd(student_logits, teacher_logits,
                                     student_feats, teacher_feats, labels)
        finally:
            for module, training in modes:
                module.training = training
        num_views = first_tensor(teacher_feats).shape[0] // inputs.shape[0]
        return dict(
            kd_loss=kd,
            teacher_feat=pool_features(teacher_feats, num_views=num_views),
            student_logits=student_logits,
            teacher_logits=teacher_logits)

    def extra_repr(self) -> str:
        return (f'alpha={self.alpha}, save_teacher={self.save_teacher}, '
                f'teacher={type(self._teacher).__name__} (frozen, not a '
                f'submodule), teacher_ckpt={self.teacher_ckpt!r}')

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
