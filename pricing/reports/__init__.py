"""Monthly component reports (PSA Amendment 1, Appendix A, note 4) and what follows from them:
re-leveling between annual periods, capacity flags and forecasts, a new city's starting level."""
