// placeholder: ids
