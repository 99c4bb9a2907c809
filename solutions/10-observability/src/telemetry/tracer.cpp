// placeholder: tracer
