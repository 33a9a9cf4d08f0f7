"""`kznlp batch`: many documents into Parquet shards on this machine (`local`) or on Ray Data (`ray`)."""
