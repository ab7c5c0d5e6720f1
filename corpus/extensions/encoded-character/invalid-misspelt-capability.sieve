# expect: unknown-capability
# Line 3: the capability is "encoded-character", singular.
require ["encoded-characters", "fileinto"];

if header :contains "Subject" "${hex:24 24 24}" {
    fileinto "Junk";
}
