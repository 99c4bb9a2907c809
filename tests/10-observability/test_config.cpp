// placeholder: test_config
