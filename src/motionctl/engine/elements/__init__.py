"""Elements: a face bank built from a face video, and the character's face drawn from it (issue 24)."""

from motionctl.engine.elements.bank import FaceBank, FaceView, load_bank, save_bank
from motionctl.engine.elements.binding import ElementFace

__all__ = ["ElementFace", "FaceBank", "FaceView", "load_bank", "save_bank"]
