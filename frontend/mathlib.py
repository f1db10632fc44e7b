"""`qd.math`'s vector and matrix functions (GLSL's), written in the kernel language.

docs/kernel-language.md "Vectors and matrices". Each is a `@qd.func`, inlined where a kernel
calls it, so it costs what the same lines written in the kernel would. The types `qd.math.vec3`
and friends take their float / int element type from `qd.init(default_fp=..., default_ip=...)`
when a kernel uses them.
"""

from __future__ import annotations

from qdmlir.frontend import lang
from qdmlir.frontend.kernel import func
from qdmlir.runtime import dtypes
from qdmlir.runtime.matrix_types import matrix, vector

vec2, vec3, vec4 = (vector(n, float) for n in (2, 3, 4))
ivec2, ivec3, ivec4 = (vector(n, int) for n in (2, 3, 4))
uvec2, uvec3, uvec4 = (vector(n, dtypes.DEFAULT_UNSIGNED) for n in (2, 3, 4))
mat2, mat3, mat4 = (matrix(n, n, float) for n in (2, 3, 4))


@func
def normalize(v):
    """v / |v|."""
    return v.normalized()


@func
def dot(x, y):
    return x.dot(y)


@func
def cross(x, y):
    """A vector for 3-d vectors; x.x * y.y - x.y * y.x for 2-d ones."""
    return x.cross(y)


@func
def length(x):
    return x.norm()


@func
def distance(x, y):
    return (x - y).norm()


@func
def reflect(x, n):
    """The reflection of the incident `x` about the (normalised) normal `n`."""
    return x - 2.0 * x.dot(n) * n


@func
def refract(x, n, eta):
    """The refraction of `x` through the normal `n` with the index ratio `eta`; zero under
    total internal reflection."""
    dxn = x.dot(n)
    result = x * 0.0
    k = 1.0 - eta * eta * (1.0 - dxn * dxn)
    if k >= 0.0:
        result = eta * x - (eta * dxn + lang.sqrt(k)) * n
    return result


@func
def determinant(m):
    return m.determinant()


@func
def inverse(m):
    return m.inverse()


@func
def vdir(ang):
    """The unit 2-d vector at angle `ang` (radians) from the x axis."""
    return vec2(lang.cos(ang), lang.sin(ang))


@func
def rotation2d(ang):
    """The 2x2 counter-clockwise rotation by `ang`."""
    c, s = lang.cos(ang), lang.sin(ang)
    return mat2([[c, -s], [s, c]])


@func
def translate(dx, dy, dz):
    """The 4x4 homogeneous translation by (dx, dy, dz)."""
    return mat4(
        [[1.0, 0.0, 0.0, dx], [0.0, 1.0, 0.0, dy], [0.0, 0.0, 1.0, dz], [0.0, 0.0, 0.0, 1.0]]
    )


@func
def scale(sx, sy, sz):
    """The 4x4 homogeneous scaling by (sx, sy, sz)."""
    return mat4(
        [[sx, 0.0, 0.0, 0.0], [0.0, sy, 0.0, 0.0], [0.0, 0.0, sz, 0.0], [0.0, 0.0, 0.0, 1.0]]
    )


@func
def rot_by_axis(axis, ang):
    """The 4x4 homogeneous rotation by `ang` about `axis` (Rodrigues' formula), laid out as
    Quadrants lays it out (its rows are the rotated basis vectors)."""
    c, s = lang.cos(ang), lang.sin(ang)
    a = axis.normalized()
    t = (1 - c) * a
    return mat4(
        [
            [c + t[0] * a[0], t[0] * a[1] + s * a[2], t[0] * a[2] - s * a[1], 0.0],
            [t[1] * a[0] - s * a[2], c + t[1] * a[1], t[1] * a[2] + s * a[0], 0.0],
            [t[2] * a[0] + s * a[1], t[2] * a[1] - s * a[0], c + t[2] * a[2], 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


@func
def rot_yaw_pitch_roll(yaw, pitch, roll):
    """The 4x4 homogeneous rotation by Euler angles: about y (yaw), then x (pitch), then z
    (roll)."""
    ch, sh = lang.cos(yaw), lang.sin(yaw)
    cp, sp = lang.cos(pitch), lang.sin(pitch)
    cb, sb = lang.cos(roll), lang.sin(roll)
    return mat4(
        [
            [ch * cb + sh * sp * sb, sb * cp, -sh * cb + ch * sp * sb, 0.0],
            [-ch * sb + sh * sp * cb, cb * cp, sb * sh + ch * sp * cb, 0.0],
            [sh * cp, -sp, ch * cp, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


@func
def rotation3d(ang_x, ang_y, ang_z):
    """rot_yaw_pitch_roll(ang_z, ang_x, ang_y), Quadrants' argument order."""
    return rot_yaw_pitch_roll(ang_z, ang_x, ang_y)


def eye(n: int):
    """The n x n identity in the default float type (a kernel builds it from constants)."""
    from qdmlir.runtime.matrix import Matrix

    return Matrix.identity(float, n)


NAMES = {
    "vec2": vec2, "vec3": vec3, "vec4": vec4, "ivec2": ivec2, "ivec3": ivec3, "ivec4": ivec4,
    "uvec2": uvec2, "uvec3": uvec3, "uvec4": uvec4, "mat2": mat2, "mat3": mat3, "mat4": mat4,
    "normalize": normalize, "dot": dot, "cross": cross, "length": length,
    "distance": distance, "reflect": reflect, "refract": refract,
    "determinant": determinant, "inverse": inverse, "vdir": vdir, "rotation2d": rotation2d,
    "rotation3d": rotation3d, "translate": translate, "scale": scale,
    "rot_by_axis": rot_by_axis, "rot_yaw_pitch_roll": rot_yaw_pitch_roll, "eye": eye,
}  # fmt: skip
"""What `qd.math` adds for vectors and matrices (qdmlir/__init__.py puts them there)."""
