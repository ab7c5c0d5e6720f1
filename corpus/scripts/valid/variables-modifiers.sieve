# variables-modifiers.sieve -- build folder names and tags from header
# contents with the RFC 5229 modifiers and match variables.
require ["variables", "fileinto", "mailbox", "imap4flags", "relational",
         "comparator-i;ascii-numeric"];

# Remember who the mail is for; used further down in several places.
if address :matches "To" "*@*" {
    set "rcpt_user" "${1}";
    set :lower "rcpt_domain" "${2}";
}

# Project mail: "[ACME-1234] some title" -> folder "Projects/Acme/1234".
if header :matches "Subject" "[*-*] *" {
    set :lower :upperfirst "project" "${1}";
    set "ticket" "${2}";
    set :upper "shouting" "${1}";
    fileinto :create "Projects/${project}/${ticket}";
    addflag "${shouting}";
}

# Keep a sender name that can safely be used as a :matches pattern again:
# :quotewildcard escapes * ? and \ inside the value.
if header :matches "From" "\"*\" <*>" {
    set :quotewildcard "sender_pattern" "${1}";
    set :lowerfirst "sender_short" "${1}";
    if header :matches "Reply-To" "*${sender_pattern}*" {
        addflag "SameNameReplyTo";
    }
}

# The length of the subject tells shouty ten-word marketing apart.
if header :matches "Subject" "*" {
    set :length "subject_len" "${0}";
    if string :value "gt" :comparator "i;ascii-numeric" "${subject_len}" "120" {
        addflag "LongSubject";
    }
}

# Combine several variables into one folder name.
set "archive" "Archive/${rcpt_domain}/${rcpt_user}";
if header :contains "X-Archive" "yes" {
    fileinto :create "${archive}";
}
