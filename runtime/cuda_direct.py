"""Running a GPU plan directly: each instruction on the host, each launch enqueued.

docs/architecture.md §7. Launches, state resets and flag writes are queued on the runtime's
stream without waiting; the host waits only where the plan reads device memory (a do-while's
condition, once per iteration; none for a loop that runs as its single-block loop kernel).
Task kernels write only `yielded_at`, so the host answers reads of `resume_point` from its own
copy, and `yielded_at` is known until the next launch; a loop kernel writes both, after which
the host reads them from the device. The sections of a fork go on streams of their own,
ordered after the runtime's stream by one event and before it again by one event each (CUDA;
HIP, and a section that reads or writes device memory from the host, run them in order).
Backend-neutral: it talks to `launcher.device` (CUDA driver API or HIP, gpu_launcher.py lists
the interface); CUDA's fallback when no graph is used, and the only way HIP runs a plan.
"""

from __future__ import annotations

import struct

from .cuda_plan import (
    ITEM_SIZE,
    SCALAR_FORMATS,
    Buf,
    evaluate,
    extract,
    loop_kernel_for,
    pack_params,
    unsigned,
)


class DirectRun:
    """One launch of a plan function, interpreted; `run()` returns the register file."""

    def __init__(self, launcher, function: dict, values: list, state: Buf, resume_point: int):
        self.launcher = launcher
        self.device = launcher.device
        self.regs = [None] * function["registers"]
        for reg, value in zip(function["args"], values):
            self.regs[reg] = value
        self.function = function
        self.state = state
        self.known_state = {0: resume_point, 1: -1}  # word -> value the host knows
        self.launches = 0
        self.stream = None  # where launches go: None is the runtime's stream

    def run(self) -> DirectRun:
        self.block(self.function["body"])
        return self

    def block(self, body: list[dict]) -> None:
        regs = self.regs
        for inst in body:
            op = inst["op"]
            if op == "const":
                regs[inst["dst"]] = inst["value"]
            elif op == "arith":
                regs[inst["dst"]] = evaluate(inst, [regs[r] for r in inst["src"]])
            elif op == "launch":
                self.launch(inst)
            elif op == "if":
                if not regs[inst["cond"]]:
                    self.block(inst["else"])
                elif (loop := loop_kernel_for(inst, regs)) is not None:
                    self.loop_kernel(loop)
                else:
                    self.block(inst["then"])
            elif op == "do_while":
                self.block(inst["body"])
                while regs[inst["cond"]]:
                    self.block(inst["body"])
            else:
                getattr(self, op)(inst)

    def loop_kernel(self, name: str) -> None:
        """Launch the single-block kernel that runs a do-while whole (cuda_plan.py says when):
        one launch where the host loop would wait on the device every iteration."""
        function = self.launcher.plan["functions"][name]
        values = [self.regs[r] for r in self.function["args"]]
        run = DirectRun(self.launcher, function, values, self.state, 0)
        run.known_state = self.known_state  # one host view of the state for both
        run.run()
        self.launches += run.launches
        self.known_state.clear()  # the loop resets resume_point and may yield, on the device

    def parallel(self, inst: dict) -> None:
        """A fork: each non-empty section on a stream of its own, forked from and joined back
        to the runtime's stream; in order where that cannot be done (see the module doc)."""
        bodies = [body for body in inst["sections"] if body]
        streams = None
        if len(bodies) > 1 and all(_enqueues_only(body) for body in bodies):
            streams = self.device.section_streams(len(bodies))
        if streams is None:
            for body in bodies:
                self.block(body)
            return
        self.device.fork(streams)
        try:
            for stream, body in zip(streams, bodies):
                self.stream = stream
                self.block(body)
        finally:
            self.stream = None
        self.device.join(streams)

    def dim(self, inst: dict) -> None:
        buf, axis = (self.regs[r] for r in inst["src"])
        self.regs[inst["dst"]] = buf.shape[axis]

    def extract(self, inst: dict) -> None:
        self.regs[inst["dst"]] = extract(self.regs[inst["src"]], inst["position"])

    def alloca(self, inst: dict) -> None:
        self.regs[inst["dst"]] = self.launcher.scratch(inst["dst"], inst["shape"], inst["type"])

    def load(self, inst: dict) -> None:
        buf = self.regs[inst["memref"]]
        indices = [self.regs[r] for r in inst["indices"]]
        if buf.is_state and indices[0] in self.known_state:
            self.regs[inst["dst"]] = self.known_state[indices[0]]
            return
        size = ITEM_SIZE[inst["type"]]
        data = self.device.read_words(buf.address(indices), size)
        value = struct.unpack("<" + SCALAR_FORMATS[inst["type"]], data)[0]
        if inst["type"] == "i1":
            value &= 1
        if buf.is_state:
            self.known_state[indices[0]] = value
        self.regs[inst["dst"]] = value

    def store(self, inst: dict) -> None:
        buf = self.regs[inst["memref"]]
        indices = [self.regs[r] for r in inst["indices"]]
        value, elem = self.regs[inst["value"]], inst["type"]
        size = ITEM_SIZE[elem]
        bits = struct.pack("<" + SCALAR_FORMATS[elem], value)
        if buf.is_state:
            self.known_state[indices[0]] = value
        if size in (1, 2, 4):
            pattern = int.from_bytes(bits, "little")
            self.device.memset(buf.address(indices), pattern, size, 1, sync=False)
        else:
            staging = bytearray(bits)
            from .cuda_ndarray import host_address

            self.device.to_device(buf.address(indices), host_address(staging), size)

    def launch(self, inst: dict) -> None:
        regs = self.regs
        grid = [regs[r] for r in inst["grid"]]
        if min(grid) <= 0:
            return  # an empty task: nothing to launch (CUDA rejects a zero grid)
        block = [regs[r] for r in inst["block"]]
        kernel = self.launcher.kernels[inst["kernel"]]
        self.launcher.check_grid(grid, kernel["name"], block)
        storage, pointers = pack_params(kernel["params"], [regs[r] for r in inst["args"]])
        self.device.launch(kernel["function"], grid, block, pointers, self.stream)
        del storage
        self.known_state.pop(1, None)  # the kernel may have yielded
        self.launches += 1


def _enqueues_only(body: list[dict]) -> bool:
    """A section that only computes host values and launches kernels: it can go on another
    stream (a host read or write of device memory is ordered on the runtime's stream)."""
    return all(inst["op"] in ("const", "arith", "dim", "launch") for inst in body)


def yielded_at(run: DirectRun) -> int:
    """The launch's `yielded_at`: known on the host, or one 4-byte read after the queue."""
    if 1 in run.known_state:
        return run.known_state[1]
    data = run.device.read_words(run.state.address([1]), 4)
    return struct.unpack("<i", data)[0]


__all__ = ["DirectRun", "yielded_at", "unsigned"]
