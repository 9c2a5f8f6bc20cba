"""Code the Rasa server loads (Python 3.10, Rasa 3.6): NLU helpers for dates and
amounts today; custom channels and components as the assistant lands."""
