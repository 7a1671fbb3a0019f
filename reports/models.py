"""Reports own no tables yet besides those added by the reports work."""
