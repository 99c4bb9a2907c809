// placeholder: config
