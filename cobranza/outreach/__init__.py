"""Outreach: who is contacted, on which channel and why — playbooks, risk segments, the daily plan (book,
decide, planner), its execution (orchestration), metrics and the simulation.
"""
