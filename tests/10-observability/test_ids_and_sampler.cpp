// placeholder: test_ids_and_sampler
