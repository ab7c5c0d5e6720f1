# expect: missing-argument
# :param needs the parameter names: here it takes "Content-Disposition" as one, and the
# test is left without its key list.
require ["mime", "fileinto"];

if header :mime :param "Content-Disposition" "*.exe" {
    fileinto "Quarantine";
}
