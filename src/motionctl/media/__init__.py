"""Media I/O: probe, validate (the documented limits), decode (streaming) and encode (H.264/AAC).

Imports only motionctl.core and third-party media libraries (numpy, Pillow, PyAV, OpenCV).
"""
