# expect: break-outside-foreverypart
# break ends a foreverypart loop; here there is none around it.
require ["foreverypart", "mime", "fileinto"];

if header :mime :contenttype "Content-Type" "application/zip" {
    fileinto "Archives";
    break;
}
