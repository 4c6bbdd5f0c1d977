"""Real image bytes for photo tests (made with Pillow, so they decode like a phone's)."""
import io

from PIL import Image


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 80, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def jpeg(size=(64, 48), color=(200, 80, 40)) -> bytes:
    return image_bytes("JPEG", size, color)


def png(size=(32, 32)) -> bytes:
    return image_bytes("PNG", size, (20, 120, 200))


def gif() -> bytes:
    return image_bytes("GIF", (16, 16), (0, 0, 0))
