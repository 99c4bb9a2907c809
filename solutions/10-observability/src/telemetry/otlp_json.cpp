// placeholder: otlp_json
