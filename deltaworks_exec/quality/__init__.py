"""Execution quality: parent orders measured against the recorded market."""
