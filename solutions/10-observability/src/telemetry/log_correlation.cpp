// placeholder: log_correlation
