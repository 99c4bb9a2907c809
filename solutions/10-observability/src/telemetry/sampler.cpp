// placeholder: sampler
