"""Kernels that use Python the kernel language does not have, one construct each.

test_bad_input.py asserts that each raises qd.QuadrantsSyntaxError at the line marked
`# ERROR <name>` (the compile-time rules of docs/semantics.md have their own module,
kernels_with_errors.py).
"""

import qdmlir as qd

I1 = qd.types.ndarray(qd.i32, 1)


@qd.func
def ping(v):
    return pong(v - 1)


@qd.func
def pong(v):
    return ping(v - 1)  # ERROR mutual_recursion (where the cycle closes)


@qd.func
def two(a, b):
    return a + b


@qd.kernel
def mutual_recursion(x: I1):
    for i in range(x.shape[0]):
        x[i] = ping(i)


@qd.kernel
def lambda_expression(x: I1):
    for i in range(x.shape[0]):
        f = lambda v: v  # ERROR lambda_expression  # noqa: E731
        x[i] = 1


@qd.kernel
def dict_literal(x: I1):
    for i in range(x.shape[0]):
        d = {1: 2}  # ERROR dict_literal


@qd.kernel
def f_string(x: I1):
    for i in range(x.shape[0]):
        d = f"{i}"  # ERROR f_string


@qd.kernel
def slicing(x: I1):
    for i in range(x.shape[0]):
        x[1:3] = 0  # ERROR slicing


@qd.kernel
def identity_comparison(x: I1):
    for i in range(x.shape[0]):
        x[i] = i is None  # ERROR identity_comparison


@qd.kernel
def membership(x: I1):
    for i in range(x.shape[0]):
        x[i] = i in (1, 2)  # ERROR membership


@qd.kernel
def matmul_operator(x: I1):
    for i in range(x.shape[0]):
        x[i] = i @ i  # ERROR matmul_operator


@qd.kernel
def matmul_assignment(x: I1):
    for i in range(x.shape[0]):
        t = i
        t @= i  # ERROR matmul_assignment


@qd.kernel
def import_statement(x: I1):
    for i in range(x.shape[0]):
        import math  # ERROR import_statement  # noqa: F401


@qd.kernel
def nested_function(x: I1):
    for i in range(x.shape[0]):

        def g():  # ERROR nested_function
            pass


@qd.kernel
def raise_statement(x: I1):
    for i in range(x.shape[0]):
        raise ValueError(i)  # ERROR raise_statement


@qd.kernel
def with_open(x: I1):
    for i in range(x.shape[0]):
        with open("f") as handle:  # ERROR with_open
            pass


@qd.kernel
def string_value(x: I1):
    for i in range(x.shape[0]):
        x[i] = "a"  # ERROR string_value


@qd.kernel
def method_call(x: I1):
    for i in range(x.shape[0]):
        x[i] = x.sum()  # ERROR method_call


@qd.kernel
def range_keyword(x: I1):
    for i in range(x.shape[0]):
        for j in range(stop=3):  # ERROR range_keyword
            pass


@qd.kernel
def range_float(x: I1):
    for i in range(x.shape[0]):
        for j in range(2.5):  # ERROR range_float
            pass


@qd.kernel
def range_step_zero(x: I1):
    for i in range(x.shape[0]):
        for j in range(0, 3, 0):  # ERROR range_step_zero
            pass


@qd.kernel
def loop_over_element(x: I1):
    for v in x[0]:  # ERROR loop_over_element
        pass


@qd.kernel
def for_else(x: I1):
    for i in range(x.shape[0]):
        for j in range(2):  # ERROR for_else
            pass
        else:
            pass


@qd.kernel
def return_in_task(x: I1):
    for i in range(x.shape[0]):
        return  # ERROR return_in_task


@qd.kernel
def break_outside_loop(x: I1):
    for i in range(x.shape[0]):
        break  # ERROR break_outside_loop


@qd.kernel
def constant_division_by_zero(x: I1):
    for i in range(x.shape[0]):
        x[i] = 1 // 0  # ERROR constant_division_by_zero


@qd.kernel
def literal_too_large(x: I1):
    for i in range(x.shape[0]):
        x[i] = 2**70  # ERROR literal_too_large


@qd.kernel
def shift_of_a_float(x: I1):
    for i in range(x.shape[0]):
        x[i] = 1.5 << i  # ERROR shift_of_a_float


@qd.kernel
def array_as_a_number(x: I1):
    for i in range(x.shape[0]):
        x[i] = x  # ERROR array_as_a_number


@qd.kernel
def reassigned_array(x: I1):
    for i in range(x.shape[0]):
        x = 3  # ERROR reassigned_array


@qd.kernel
def atomic_on_a_local(x: I1):
    for i in range(x.shape[0]):
        t = 0
        qd.atomic_add(t, 1)  # ERROR atomic_on_a_local


@qd.kernel
def float_atomic_and(y: qd.types.ndarray(qd.f32, 1)):
    for i in range(y.shape[0]):
        qd.atomic_and(y[i], 1.0)  # ERROR float_atomic_and


@qd.kernel
def cast_to_a_non_type(x: I1):
    for i in range(x.shape[0]):
        x[i] = qd.cast(i, 5)  # ERROR cast_to_a_non_type


@qd.kernel
def static_of_a_runtime_value(x: I1):
    for i in range(x.shape[0]):
        if qd.static(x[0] > 0):  # ERROR static_of_a_runtime_value
            pass


@qd.kernel
def ndrange_with_one_variable_too_many(x: I1):
    for i in range(x.shape[0]):
        for a, b, c in qd.ndrange(2, 2):  # ERROR ndrange_with_one_variable_too_many
            pass


@qd.kernel
def walrus(x: I1):
    for i in range(x.shape[0]):
        x[i] = (t := 3)  # ERROR walrus


@qd.kernel
def min_of_one(x: I1):
    for i in range(x.shape[0]):
        x[i] = min(i)  # ERROR min_of_one


@qd.kernel
def qd_func_argument_count(x: I1):
    for i in range(x.shape[0]):
        x[i] = two(i)  # ERROR qd_func_argument_count


@qd.kernel
def kernel_inside_a_kernel(x: I1):
    for i in range(x.shape[0]):
        dict_literal(x)  # ERROR kernel_inside_a_kernel


@qd.kernel
def global_statement(x: I1):
    for i in range(x.shape[0]):
        global COUNTER  # ERROR global_statement


@qd.kernel
def too_many_indices(x: I1):
    for i in range(x.shape[0]):
        x[i, i] = 1  # ERROR too_many_indices


@qd.kernel
def attribute_of_a_number(x: I1):
    for i in range(x.shape[0]):
        x[i] = i.real  # ERROR attribute_of_a_number


@qd.kernel
def loop_config_before_a_statement(x: I1):
    qd.loop_config(serialize=True)  # ERROR loop_config_before_a_statement
    x[0] = 1


@qd.kernel
def loop_config_at_the_end(x: I1):
    for i in range(x.shape[0]):
        x[i] = 1
    qd.loop_config(serialize=True)  # ERROR loop_config_at_the_end


@qd.kernel
def loop_config_misspelled(x: I1):
    qd.loop_config(serialise=True)  # ERROR loop_config_misspelled
    for i in range(x.shape[0]):
        x[i] = 1


@qd.kernel
def loop_config_runtime_value(x: I1):
    qd.loop_config(block_dim=x[0])  # ERROR loop_config_runtime_value
    for i in range(x.shape[0]):
        x[i] = 1


@qd.kernel
def loop_config_positional(x: I1):
    qd.loop_config(True)  # ERROR loop_config_positional
    for i in range(x.shape[0]):
        x[i] = 1


@qd.kernel
def static_assert_of_a_runtime_value(x: I1):
    for i in range(x.shape[0]):
        qd.static_assert(x[i] > 0)  # ERROR static_assert_of_a_runtime_value


SIZE = 6


@qd.kernel
def static_assert_that_fails(x: I1):
    qd.static_assert(SIZE % 4 == 0, "need a multiple of 4")  # ERROR static_assert_that_fails
    for i in range(x.shape[0]):
        x[i] = SIZE


@qd.kernel
def print_an_array(x: I1):
    for i in range(x.shape[0]):
        print("x is", x)  # ERROR print_an_array


@qd.kernel
def print_to_a_file(x: I1):
    for i in range(x.shape[0]):
        print(x[i], file=None)  # ERROR print_to_a_file
