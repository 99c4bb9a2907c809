// placeholder: test_otlp_json
