"""The collections team: agents and supervisors, and their casework on handoffs."""
