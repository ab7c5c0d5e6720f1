# Read the start of the first plain-text part to find newsletters that hide in
# ordinary-looking mail.
require ["extracttext", "foreverypart", "mime", "variables", "fileinto"];

foreverypart {
    if header :mime :contenttype :is "Content-Type" "text/plain" {
        extracttext :lower :first 2000 "preview";
        if string :contains "${preview}" ["unsubscribe", "view this email in your browser"] {
            fileinto "Newsletters";
        }
        break;
    }
}
