# mime-attachments.sieve -- inspect every MIME part (RFC 5703 foreverypart
# and mime): catch dangerous attachments and keep a text preview.
require ["foreverypart", "mime", "extracttext", "variables", "fileinto",
         "imap4flags", "editheader"];

# Windows executables and scripts, by file name of any attachment.
if header :mime :anychild :param "filename" :matches "Content-Disposition"
        ["*.exe", "*.scr", "*.js", "*.vbs", "*.bat"] {
    fileinto "Quarantine";
    stop;
}

foreverypart :name "parts" {
    # A nested message (forwarded mail) is not inspected further.
    if header :mime :type :is "Content-Type" "message" {
        addflag "$Forwarded";
        break :name "parts";
    }
    # Office documents with macros.
    if header :mime :subtype :is "Content-Type"
            ["vnd.ms-excel.sheet.macroenabled.12",
             "vnd.ms-word.document.macroenabled.12"] {
        addflag "$Macro";
    }
    # Keep the first 200 characters of the first text part as a preview.
    if allof (header :mime :type :is "Content-Type" "text",
              header :mime :subtype :is "Content-Type" "plain") {
        extracttext :first 200 "preview";
        break;
    }
}

if string :is "${preview}" "" {
    addheader "X-Preview" "(no text part)";
} else {
    addheader "X-Preview" "${preview}";
}

# Anything with a big PDF is filed under Documents.
if header :mime :anychild :contenttype :is "Content-Type" "application/pdf" {
    if size :over 1M {
        fileinto "Documents";
    }
}
