// placeholder: span
