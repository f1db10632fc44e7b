"""CUDA architecture names and the PTX ISA each needs (gpu-feasibility.md Q1, caveat 1).

LLVM aborts the whole process (`LLVM ERROR: PTX version 6.0 does not support target 'sm_90'`)
when a chip gets too old a PTX ISA, so `parse_arch` runs before any pass and always pairs the
chip with a PTX feature it supports. PTX ISA 8.0 (CUDA 12.0) covers every chip listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PTX_FEATURE = "+ptx80"
"""PTX ISA 8.0: what the issue asks for, accepted by drivers from CUDA 12.0 on."""
SUPPORTED = ("sm_80", "sm_86", "sm_87", "sm_89", "sm_90")
DEVICE_LOOP_MIN_SM = 90
"""From SM 9.0 the do-while runs in a CUDA graph WHILE node (docs/targets.md)."""


class CudaArchError(ValueError):
    """An --arch the CUDA target cannot compile for."""


@dataclass(frozen=True)
class CudaArch:
    """A chip (`sm_90`), its number (90) and the PTX feature passed to LLVM."""

    chip: str
    sm: int
    ptx_feature: str = PTX_FEATURE

    @property
    def device_loop(self) -> bool:
        """Whether condition kernels (cudaGraphSetConditional) are built for this chip."""
        return self.sm >= DEVICE_LOOP_MIN_SM


def parse_arch(arch: str | None) -> CudaArch:
    """`"sm_90"` -> CudaArch; `None` means sm_90. CudaArchError lists the supported chips."""
    chip = (arch or "sm_90").strip().lower()
    match = re.fullmatch(r"sm_(\d+)", chip)
    if chip not in SUPPORTED or match is None:
        raise CudaArchError(
            f"--arch {arch!r} is not a CUDA architecture qdmlir compiles for; use one of "
            f"{', '.join(SUPPORTED)} (H100/H200: sm_90, A100: sm_80)"
        )
    return CudaArch(chip, int(match.group(1)))
