// placeholder: test_tracing
