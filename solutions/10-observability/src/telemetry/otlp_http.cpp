// placeholder: otlp_http
