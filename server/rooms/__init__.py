"""Live rooms: one lock per room, the database before anything is acknowledged, fan-out."""
