# Sort mail by what it carries: invoices as PDF, calendar invitations, executables.
require ["mime", "foreverypart", "fileinto"];

if header :mime :type "Content-Type" "multipart" {
    if header :mime :anychild :contenttype "Content-Type" "application/pdf" {
        fileinto "Invoices";
    }
}

if exists :mime :anychild "Content-ID" {
    keep;
}

foreverypart {
    if header :mime :subtype "Content-Type" "calendar" {
        fileinto "Calendar";
    }
    if header :mime :param ["filename", "name"] :matches
            ["Content-Disposition", "Content-Type"] ["*.exe", "*.scr", "*.js"] {
        fileinto "Quarantine";
    }
    if address :mime :anychild :domain :is "From" "example.com" {
        fileinto "Forwarded-Internal";
    }
}
