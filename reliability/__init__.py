"""`make reliability`: the whole stack under load, faults and bad input (see __main__)."""
