// placeholder: otlp_collector
