// placeholder: test_otlp_http
