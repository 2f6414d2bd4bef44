"""Perception: the only package of motionctl that imports mediapipe."""

from motionctl.engine.perception.face import FaceMeshEstimator, FaceParams, face_params, head_crop
from motionctl.engine.perception.pose import PoseEstimator, PoseObservation

__all__ = ["FaceMeshEstimator", "FaceParams", "PoseEstimator", "PoseObservation", "face_params", "head_crop"]
