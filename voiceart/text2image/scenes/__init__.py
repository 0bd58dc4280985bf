"""Captioned scene data set: procedurally drawn landscapes with named emoji objects (see docs/scenes-dataset.md)."""
