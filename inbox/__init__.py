"""The agents' shared inbox: handoffs with the whole history, taken and answered by people."""
