# Reads one header through every accessor (decoded, address, raw :contains).
if anyof (header :contains ["subject", "x-big", "to"] "needle-not-there",
          address :all :is ["to", "from", "cc"] "nobody@example.invalid",
          exists "x-missing") {
    discard;
}
