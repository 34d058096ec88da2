"""Offline playground: the real bot against an in-process simulated Discord (`ostbot play`)."""
