"""Kernels that break a rule of `qd.graph.parallel_context()` / `qd.graph.parallel()`
(frontend/parallel_syntax.py); each marks the line its error must point at with
`# ERROR <name>`. Used by test_graph_parallel.py."""

import qdmlir as qd

F32_1D = qd.types.ndarray(qd.f32, 1)
I32_0D = qd.types.ndarray(qd.i32, 0)


@qd.kernel(graph=True)
def section_outside_a_context(x: F32_1D):
    with qd.graph.parallel():  # ERROR section_outside_a_context
        for i in range(x.shape[0]):
            x[i] += 1.0


@qd.kernel
def context_in_plain_kernel(x: F32_1D):
    with qd.graph.parallel_context():  # ERROR context_in_plain_kernel
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0


@qd.kernel(graph=True)
def task_directly_in_context(x: F32_1D):
    with qd.graph.parallel_context():
        for i in range(x.shape[0]):  # ERROR task_directly_in_context
            x[i] += 1.0


@qd.kernel(graph=True)
def runtime_loop_around_section(x: F32_1D, n: qd.i32):
    with qd.graph.parallel_context():
        for _b in range(n):  # ERROR runtime_loop_around_section
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def runtime_if_around_section(x: F32_1D, flag: qd.i32):
    with qd.graph.parallel_context():
        if flag:  # ERROR runtime_if_around_section
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def statement_in_static_loop_of_context(x: F32_1D):
    with qd.graph.parallel_context():
        for b in qd.static(range(2)):
            x[b] = 1.0  # ERROR statement_in_static_loop_of_context
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def runtime_if_in_static_loop_of_context(x: F32_1D, flag: qd.i32):
    with qd.graph.parallel_context():
        for _b in qd.static(range(2)):
            if flag:  # ERROR runtime_if_in_static_loop_of_context
                with qd.graph.parallel():
                    for i in range(x.shape[0]):
                        x[i] += 1.0


@qd.kernel(graph=True)
def section_with_arguments(x: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel(name="bx"):  # ERROR section_with_arguments
            for i in range(x.shape[0]):
                x[i] += 1.0


@qd.kernel(graph=True)
def context_with_arguments(x: F32_1D):
    with qd.graph.parallel_context(2):  # ERROR context_with_arguments
        with qd.graph.parallel():
            for i in range(x.shape[0]):
                x[i] += 1.0


@qd.kernel(graph=True)
def do_while_in_section(x: F32_1D, c: I32_0D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            while qd.graph.do_while(c):  # ERROR do_while_in_section
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def do_while_deep_in_section(x: F32_1D, c: I32_0D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            for _b in qd.static(range(2)):
                if qd.static(True):
                    while qd.graph.do_while(c):  # ERROR do_while_deep_in_section
                        for i in range(x.shape[0]):
                            x[i] += 1.0


@qd.kernel(graph=True, checkpoints=True)
def checkpoint_in_section(x: F32_1D, flag: I32_0D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            with qd.checkpoint(0, yield_on=flag):  # ERROR checkpoint_in_section
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def section_in_section(x: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            with qd.graph.parallel():  # ERROR section_in_section
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def context_in_section(x: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            with qd.graph.parallel_context():  # ERROR context_in_section
                with qd.graph.parallel():
                    for i in range(x.shape[0]):
                        x[i] += 1.0


@qd.kernel(graph=True)
def context_in_context(x: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel_context():  # ERROR context_in_context
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def context_in_task(x: F32_1D):
    for _ in range(1):
        with qd.graph.parallel_context():  # ERROR context_in_task
            with qd.graph.parallel():
                x[0] += 1.0


@qd.kernel(graph=True)
def section_in_task(x: F32_1D):
    for _ in range(1):
        with qd.graph.parallel():  # ERROR section_in_task
            x[0] += 1.0


@qd.func
def helper_with_a_region(x):
    with qd.graph.parallel_context():  # ERROR context_in_func
        with qd.graph.parallel():
            x[0] += 1.0


@qd.kernel(graph=True)
def context_in_func(x: F32_1D):
    helper_with_a_region(x)


@qd.kernel(graph=True, checkpoints=True)
def context_in_checkpoint(x: F32_1D, flag: I32_0D):
    with qd.checkpoint(1, yield_on=flag):
        with qd.graph.parallel_context():  # ERROR context_in_checkpoint
            with qd.graph.parallel():
                for i in range(x.shape[0]):
                    x[i] += 1.0


@qd.kernel(graph=True)
def context_as_name(x: F32_1D):
    with qd.graph.parallel_context() as region:  # ERROR context_as_name
        with qd.graph.parallel():
            x[0] += region


@qd.kernel(graph=True)
def variable_of_a_section_read_after(x: F32_1D):
    with qd.graph.parallel_context():
        with qd.graph.parallel():
            total = x[0] + 1.0
    for _ in range(1):
        x[1] = total  # ERROR variable_of_a_section_read_after
