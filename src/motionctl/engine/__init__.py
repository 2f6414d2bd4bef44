"""The motion-transfer engine: perception (the only mediapipe user), the puppet, and the pipeline."""
