module goais

go 1.26
