"""Whether a teacher can be distilled into a student."""
from typing import List, Optional

from torch import nn


def num_classes(model: nn.Module, name: str) -> int:
    """The ``num_classes`` of a recognizer's ``cls_head``.

    Args:
        model (nn.Module): The recognizer.
        name (str): What it is (``'student'``, ``'teacher'``), for the error
            message.

    Returns:
        int: The number of classes.
    """
    classes = getattr(getattr(model, 'cls_head', None), 'num_classes', None)
    if classes is None:
        raise ValueError(f'the {name} ({type(model).__name__}) needs a '
                         'cls_head with num_classes')
    return int(classes)


def preprocessing(model: nn.Module) -> dict:
    """What a recognizer's data preprocessor does to the inputs, as a dict
    that compares equal for two preprocessors that do the same.

    Args:
        model (nn.Module): The recognizer.

    Returns:
        dict: ``type``, ``mean``, ``std`` (rounded to 6 digits),
        ``format_shape`` and ``to_rgb``.
    """
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


def check_compatible(student: nn.Module, teacher: nn.Module) -> None:
    """Raise unless both recognizers predict the same classes and
    preprocess their inputs the same way (the teacher is fed the student's
    preprocessed inputs).

    Args:
        student (nn.Module): The student recognizer.
        teacher (nn.Module): The teacher recognizer.
    """
    student_classes = num_classes(student, 'student')
    teacher_classes = num_classes(teacher, 'teacher')
    if student_classes != teacher_classes:
        raise ValueError(
            'teacher and student must predict the same classes, but the '
            f'teacher has num_classes={teacher_classes} and the student '
            f'num_classes={student_classes}')
    student_pre, teacher_pre = preprocessing(student), preprocessing(teacher)
    if student_pre != teacher_pre:
        raise ValueError(
            'the teacher is fed the student\'s preprocessed inputs, so their '
            'data_preprocessors must match; student: '
            f'{student_pre}, teacher: {teacher_pre}')
