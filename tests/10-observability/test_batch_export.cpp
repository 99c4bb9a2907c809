// placeholder: test_batch_export
