"""A stand-in for libamdhip64 over host memory, for testing the HIP runtime path without a GPU.

`FakeHip` has the calls runtime/hip_runtime.py makes, with the same C signatures: every call is
checked against `hip_runtime.SIGNATURES` with ctypes' own `from_param` (what a real ctypes call
would convert, or refuse with a TypeError) and its arity, then runs over host memory: out
parameters are written through the pointers passed, device memory is host memory, streams run
at once. `hipModuleLoadData` reads the code object's kernel table from its AMDGPU metadata note
(`read_code_object`: name, explicit argument sizes, chip, max block size) and refuses one built
for another chip (hipErrorNoBinaryForGpu), as HIP does; it also reads the kernel signatures of
LLVM IR text, so the runtime tests run where llvm-19 is missing (a real HIP would not).
Launches are recorded with their parameters decoded by size (a wrong count is an error);
`kernels[name]` may hold a Python reference `fn(fake, launch)` that "executes" a kernel.
"""

from __future__ import annotations

import ctypes
import re
import struct
from dataclasses import dataclass, field

from fake_cuda_driver import Launch

from qdmlir.runtime.hip_runtime import SIGNATURES

ERRORS = {
    0: "hipSuccess",
    1: "hipErrorInvalidValue",
    2: "hipErrorOutOfMemory",
    100: "hipErrorNoDevice",
    200: "hipErrorInvalidImage",
    209: "hipErrorNoBinaryForGpu",
    500: "hipErrorNotFound",
    719: "hipErrorLaunchFailure",
}
INVALID_VALUE, INVALID_IMAGE, NO_BINARY_FOR_GPU, NOT_FOUND = 1, 200, 209, 500
IR_SIZES = {
    "ptr": 8,
    "i64": 8,
    "double": 8,
    "i32": 4,
    "float": 4,
    "i16": 2,
    "half": 2,
    "i8": 1,
    "i1": 1,
}


@dataclass
class KernelInfo:
    name: str
    sizes: list  # explicit arguments only: HIP adds the hidden ones itself
    max_block: int = 1024
    chip: str | None = None


@dataclass
class CodeObject:
    kernels: dict
    chip: str | None
    image: bytes = field(repr=False, default=b"")


# -- reading code objects ------------------------------------------------------------------------


def read_code_object(image: bytes) -> dict[str, KernelInfo]:
    """Kernel name -> KernelInfo, from an hsaco's NT_AMDGPU_METADATA note (MessagePack)."""
    return _code_object(image).kernels


def _code_object(image: bytes) -> CodeObject:
    if image[:4] == b"\x7fELF":
        meta = _amdgpu_metadata(image)
        chip = meta["amdhsa.target"].rsplit("-", 1)[-1].split(":")[0]
        kernels = {}
        for k in meta["amdhsa.kernels"]:
            sizes = [
                a[".size"] for a in k.get(".args", []) if not a[".value_kind"].startswith("hidden_")
            ]
            kernels[k[".name"]] = KernelInfo(k[".name"], sizes, k[".max_flat_workgroup_size"], chip)
        return CodeObject(kernels, chip, image)
    text = image.decode(errors="replace")
    kernels = {}
    for name, params in re.findall(r"define amdgpu_kernel void @(\w+)\(([^)]*)\)", text):
        sizes = [IR_SIZES[p.split()[0]] for p in params.split(",") if p.strip()]
        kernels[name] = KernelInfo(name, sizes)
    return CodeObject(kernels, None, image)


def _amdgpu_metadata(elf: bytes) -> dict:
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    for index in range(shnum):
        header = shoff + index * shentsize
        if struct.unpack_from("<I", elf, header + 4)[0] != 7:  # SHT_NOTE
            continue
        offset, size = struct.unpack_from("<QQ", elf, header + 0x18)
        at, end = offset, offset + size
        while at < end:
            namesz, descsz, kind = struct.unpack_from("<III", elf, at)
            name_at = at + 12
            desc_at = name_at + (namesz + 3) // 4 * 4
            if elf[name_at : name_at + namesz] == b"AMDGPU\0" and kind == 32:
                return _MsgPack(elf[desc_at : desc_at + descsz]).value()
            at = desc_at + (descsz + 3) // 4 * 4
    raise ValueError("no NT_AMDGPU_METADATA note: not an AMDGPU code object")


class _MsgPack:
    """The subset of MessagePack that AMDGPU metadata uses."""

    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str):
        (value,) = struct.unpack_from(">" + fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return value

    def raw(self, n: int) -> bytes:
        self.at += n
        return self.data[self.at - n : self.at]

    def value(self):
        byte = self.take("B")
        if byte <= 0x7F or byte >= 0xE0:
            return byte if byte <= 0x7F else byte - 0x100
        if 0x80 <= byte <= 0x8F or byte in (0xDE, 0xDF):
            n = byte & 0x0F if byte <= 0x8F else self.take("H" if byte == 0xDE else "I")
            return {self.value(): self.value() for _ in range(n)}
        if 0x90 <= byte <= 0x9F or byte in (0xDC, 0xDD):
            n = byte & 0x0F if byte <= 0x9F else self.take("H" if byte == 0xDC else "I")
            return [self.value() for _ in range(n)]
        if 0xA0 <= byte <= 0xBF or byte in (0xD9, 0xDA, 0xDB):
            n = byte & 0x1F if byte <= 0xBF else self.take({0xD9: "B", 0xDA: "H", 0xDB: "I"}[byte])
            return self.raw(n).decode()
        fixed = {0xC0: None, 0xC2: False, 0xC3: True}
        if byte in fixed:
            return fixed[byte]
        numbers = {
            0xCC: "B",
            0xCD: "H",
            0xCE: "I",
            0xCF: "Q",
            0xD0: "b",
            0xD1: "h",
            0xD2: "i",
            0xD3: "q",
            0xCA: "f",
            0xCB: "d",
        }
        return self.take(numbers[byte])


# -- the library -----------------------------------------------------------------------------------


def _checked(method):
    """Check a call against SIGNATURES as ctypes would, record it, honour `fail`."""
    argtypes = SIGNATURES[method.__name__][1]

    def call(self, *args):
        if len(args) != len(argtypes):
            raise TypeError(
                f"{method.__name__} takes {len(argtypes)} arguments ({len(args)} given)"
            )
        for position, (argtype, arg) in enumerate(zip(argtypes, args)):
            try:
                argtype.from_param(arg)
            except TypeError as err:
                raise TypeError(f"{method.__name__} argument {position}: {err}") from None
        self.calls.append(method.__name__)
        if method.__name__ in self.fail:
            return self.fail.pop(method.__name__)
        return method(self, *args)

    call.__name__ = method.__name__
    return call


def _write(out, value: int) -> None:
    out.contents.value = value


class FakeHip:
    """One fake AMD GPU: `memory`, `calls` (names in order), `launches`, `modules`."""

    def __init__(self, arch: str = "gfx90a", rocm6: bool = True):
        self.arch = arch
        self.buffers: dict[int, ctypes.Array] = {}
        self.calls: list[str] = []
        self.launches: list[Launch] = []
        self.kernels: dict = {}  # name -> reference fn(fake, launch)
        self.modules: dict[int, CodeObject] = {}
        self.functions: dict[int, KernelInfo] = {}
        self.fail: dict[str, int] = {}  # call name -> status to return once
        if not rocm6:  # ROCm 5 exports only the old properties call
            self.hipGetDevicePropertiesR0600 = None

    def read(self, address: int, fmt: str):
        return struct.unpack("<" + fmt, ctypes.string_at(address, struct.calcsize(fmt)))[0]

    def _alloc(self, nbytes: int) -> int:
        buffer = (ctypes.c_char * nbytes)()
        self.buffers[ctypes.addressof(buffer)] = buffer
        return ctypes.addressof(buffer)

    # device, errors ---------------------------------------------------------------------------

    @_checked
    def hipInit(self, flags):
        return 0

    @_checked
    def hipGetDeviceCount(self, count):
        count.contents.value = 1
        return 0

    @_checked
    def hipSetDevice(self, device):
        return 0 if device == 0 else INVALID_VALUE

    def _properties(self, props, device):
        # a struct of some ROCm release: the name first, gcnArchName somewhere after it
        data = b"AMD Instinct MI2xx".ljust(256, b"\0") + b"\x07" * 700
        data += f"{self.arch}:sramecc+:xnack-".encode().ljust(256, b"\0")
        ctypes.memmove(props, data, len(data))
        return 0

    @_checked
    def hipGetDeviceProperties(self, props, device):
        return self._properties(props, device)

    @_checked
    def hipGetDevicePropertiesR0600(self, props, device):
        return self._properties(props, device)

    @_checked
    def hipDriverGetVersion(self, version):
        version.contents.value = 60200000
        return 0

    @_checked
    def hipGetErrorName(self, status):
        return ERRORS.get(status, "hipErrorUnknown").encode()

    @_checked
    def hipGetErrorString(self, status):
        return b"fake HIP error"

    # streams and events -----------------------------------------------------------------------

    @_checked
    def hipStreamCreate(self, stream):
        _write(stream, 0x5100)
        return 0

    @_checked
    def hipStreamSynchronize(self, stream):
        return 0

    @_checked
    def hipStreamWaitEvent(self, stream, event, flags):
        return 0

    @_checked
    def hipEventCreateWithFlags(self, event, flags):
        _write(event, 0xE000)
        return 0

    @_checked
    def hipEventRecord(self, event, stream):
        return 0

    @_checked
    def hipEventDestroy(self, event):
        return 0

    # memory -----------------------------------------------------------------------------------

    @_checked
    def hipMalloc(self, pointer, nbytes):
        _write(pointer, self._alloc(nbytes))
        return 0

    @_checked
    def hipHostMalloc(self, pointer, nbytes, flags):
        _write(pointer, self._alloc(nbytes))
        return 0

    @_checked
    def hipFree(self, pointer):
        return 0 if self.buffers.pop(int(pointer), None) is not None else INVALID_VALUE

    def _copy(self, destination, source, nbytes):
        ctypes.memmove(int(destination), int(source), nbytes)
        return 0

    @_checked
    def hipMemcpyHtoDAsync(self, destination, source, nbytes, stream):
        return self._copy(destination, source, nbytes)

    @_checked
    def hipMemcpyDtoHAsync(self, destination, source, nbytes, stream):
        return self._copy(destination, source, nbytes)

    @_checked
    def hipMemcpyDtoDAsync(self, destination, source, nbytes, stream):
        return self._copy(destination, source, nbytes)

    def _memset(self, size, pointer, value, count):
        data = (value & ((1 << 8 * size) - 1)).to_bytes(size, "little") * count
        ctypes.memmove(int(pointer), data, len(data))
        return 0

    @_checked
    def hipMemsetD8Async(self, pointer, value, count, stream):
        return self._memset(1, pointer, value, count)

    @_checked
    def hipMemsetD16Async(self, pointer, value, count, stream):
        return self._memset(2, pointer, value, count)

    @_checked
    def hipMemsetD32Async(self, pointer, value, count, stream):
        return self._memset(4, pointer, value, count)

    # modules and launches ---------------------------------------------------------------------

    @_checked
    def hipModuleLoadData(self, module, image):
        data = bytes(image)
        try:
            code = _code_object(data)
        except (ValueError, KeyError, struct.error):
            return INVALID_IMAGE
        if not code.kernels:
            return INVALID_IMAGE
        if code.chip is not None and code.chip != self.arch:
            return NO_BINARY_FOR_GPU
        handle = 0x1000 + len(self.modules)
        self.modules[handle] = code
        _write(module, handle)
        return 0

    @_checked
    def hipModuleGetFunction(self, function, module, name):
        info = self.modules[int(module)].kernels.get(name.decode())
        if info is None:
            return NOT_FOUND
        handle = 0x2000 + len(self.functions)
        self.functions[handle] = info
        _write(function, handle)
        return 0

    @_checked
    def hipModuleLaunchKernel(self, f, gx, gy, gz, bx, by, bz, shared, stream, params, extra):
        info = self.functions[int(f)]
        if 0 in (gx, gy, gz) or bx * by * bz > info.max_block or extra is not None:
            return INVALID_VALUE
        if len(params) != len(info.sizes):  # the runtime passes its void* array itself
            return INVALID_VALUE
        decoded = [ctypes.string_at(p, size).ljust(8, b"\0") for p, size in zip(params, info.sizes)]
        launch = Launch(info.name, (gx, gy, gz), (bx, by, bz), decoded)
        self.launches.append(launch)
        reference = self.kernels.get(info.name)
        if reference is not None:
            reference(self, launch)
        return 0
