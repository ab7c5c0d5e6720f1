# Parses every address of To: once.
if address :all :is "to" "nobody@example.invalid" { discard; }
