// placeholder: span_queue
