"""`ogrinfo` of a recent GDAL, for the tests: Debian's gdal-bin (3.6) predates OGC API -
Features Part 2 in its OAPIF driver, so the CRS listing is checked with the GDAL that pyogrio
ships (3.12): `GDALVectorInfo` is the very code of the `ogrinfo` program (since GDAL 3.7 the
program is a thin wrapper over it), called here through ctypes with the program's arguments."""
from __future__ import annotations

import ctypes
from pathlib import Path

import pyogrio


def _library() -> ctypes.CDLL:
    libs = Path(pyogrio.__file__).resolve().parent.parent / "pyogrio.libs"
    found = sorted(libs.glob("libgdal*.so*"))
    if not found:
        raise FileNotFoundError("pyogrio ships no libgdal here")
    lib = ctypes.CDLL(str(found[0]))
    lib.GDALOpenEx.restype = ctypes.c_void_p
    lib.GDALOpenEx.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.GDALVectorInfoOptionsNew.restype = ctypes.c_void_p
    lib.GDALVectorInfoOptionsNew.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_void_p]
    lib.GDALVectorInfo.restype = ctypes.c_void_p
    lib.GDALVectorInfo.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.CPLSetConfigOption.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.GDALClose.argtypes = [ctypes.c_void_p]
    lib.VSIFree.argtypes = [ctypes.c_void_p]
    lib.GDALVectorInfoOptionsFree.argtypes = [ctypes.c_void_p]
    lib.GDALVersionInfo.restype = ctypes.c_char_p
    lib.GDALVersionInfo.argtypes = [ctypes.c_char_p]
    return lib


def version() -> str:
    return _library().GDALVersionInfo(b"RELEASE_NAME").decode()


def ogrinfo(dataset: str, args: list[str], config: dict[str, str] | None = None) -> str:
    """What `ogrinfo --config K V ... ARGS DATASET` prints, from the ogrinfo code of pyogrio's
    GDAL. (This build ignores GDAL_HTTP_HEADERS; a session cookie, GDAL_HTTP_COOKIE, works.)"""
    lib = _library()
    lib.GDALAllRegister()
    for key, value in (config or {}).items():
        lib.CPLSetConfigOption(key.encode(), value.encode())
    handle = lib.GDALOpenEx(dataset.encode(), 0x04 | 0x40, None, None, None)  # vector, verbose errors
    if not handle:
        raise OSError(f"GDAL cannot open {dataset}")
    # As the program passes them: options, then the dataset name, then layer names.
    options_, layers_ = [a for a in args if a.startswith("-")], [a for a in args if not a.startswith("-")]
    full = [*options_, dataset, *layers_]
    argv = (ctypes.c_char_p * (len(full) + 1))(*[a.encode() for a in full], None)
    options = lib.GDALVectorInfoOptionsNew(argv, None)
    try:
        text = lib.GDALVectorInfo(handle, options)
        out = ctypes.string_at(text).decode("utf-8", "replace")
        lib.VSIFree(text)
        return out
    finally:
        lib.GDALVectorInfoOptionsFree(options)
        lib.GDALClose(handle)
        for key in (config or {}):
            lib.CPLSetConfigOption(key.encode(), None)
