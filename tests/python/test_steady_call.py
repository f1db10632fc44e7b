"""The steady call of a fully annotated CPU kernel is the launcher's generated function,
installed as the kernel's `__call__` (runtime/cpu.py `calling`); everything else about a call
(keywords, errors, resume, qd.init resets) still behaves as the general path."""

import numpy as np
import pytest

import qdmlir as qd
from qdmlir.frontend.kernel import Kernel

F32 = qd.types.ndarray(qd.f32, 1)
FLAG = qd.types.ndarray(qd.i32, 0)


@qd.kernel(graph=True, checkpoints=True)
def staged(x: F32, flag: FLAG):
    for i in range(x.shape[0]):
        x[i] += 1.0
    with qd.checkpoint(3, yield_on=flag):
        for i in range(x.shape[0]):
            x[i] *= 2.0


def test_the_steady_call_is_one_generated_frame():
    x, flag = qd.ndarray(qd.f32, (4,)), qd.ndarray(qd.i32, ())
    assert staged(x, flag) == qd.GraphStatus(False, None)
    assert type(staged) is not Kernel and isinstance(staged, Kernel)
    assert type(staged).__call__.__code__.co_filename.startswith("<qd launch staged>")
    assert staged(x, flag) == qd.GraphStatus(False, None)
    assert x.to_numpy().tolist() == [6.0] * 4  # (0 + 1) * 2 + 1) * 2


def test_keywords_wrong_counts_and_resume_still_work_after_it():
    x, flag = np.zeros(2, np.float32), np.zeros((), np.int32)
    staged(x, flag)
    assert staged(x=x, flag=flag) == qd.GraphStatus(False, None)  # keywords: general path
    with pytest.raises(TypeError, match="takes 2 argument"):
        staged(x)
    flag[()] = 1
    assert staged(x, flag) == qd.GraphStatus(True, 3)
    flag[()] = 0
    assert staged.resume(x, flag, from_checkpoint=3) == qd.GraphStatus(False, None)
    # 0 -> 2 -> 6 (keywords) -> 7, 14 and yield after the checkpoint's task -> resume: 28
    assert x.tolist() == [28.0, 28.0]


def test_qd_init_puts_the_kernel_back_on_the_general_path():
    x, flag = np.zeros(2, np.float32), np.zeros((), np.int32)
    staged(x, flag)
    qd.init(arch=qd.cpu)
    assert type(staged) is Kernel
    assert staged(x, flag) == qd.GraphStatus(False, None)
