"""One module per command (or pair of commands that share their flow), imported when it runs."""
