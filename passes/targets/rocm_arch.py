"""AMD GPU architecture names the ROCm target compiles for (gpu-feasibility.md Q4).

`parse_arch` runs before any pass or tool: an unknown chip would otherwise reach
`convert-gpu-to-rocdl` and LLVM 19's `-mcpu`, whose failures range from a late error to a code
object for the wrong GPU. Both chips listed are wave64 CDNA parts, the ones checked with
llc-19 / ld.lld-19 (`llvm-readelf-19 --notes` shows `amdhsa.target ...--<chip>`).
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED = ("gfx90a", "gfx942")
DEFAULT = "gfx90a"
TRIPLE = "amdgcn-amd-amdhsa"


class RocmArchError(ValueError):
    """An --arch the ROCm target cannot compile for."""


@dataclass(frozen=True)
class RocmArch:
    """A chip (`gfx90a`): the `chipset` of convert-gpu-to-rocdl and LLVM's `-mcpu`."""

    chip: str

    @property
    def device_loop(self) -> bool:
        """Do-whiles stay host loops on ROCm (no HIP graph conditional nodes are built)."""
        return False


def parse_arch(arch: str | None) -> RocmArch:
    """`"gfx90a"` -> RocmArch; `None` means gfx90a. RocmArchError lists the supported chips."""
    chip = (arch or DEFAULT).strip().lower()
    if chip not in SUPPORTED:
        raise RocmArchError(
            f"--arch {arch!r} is not an AMD GPU architecture qdmlir compiles for; use one of "
            f"{', '.join(SUPPORTED)} (MI210/MI250: gfx90a, MI300: gfx942)"
        )
    return RocmArch(chip)
