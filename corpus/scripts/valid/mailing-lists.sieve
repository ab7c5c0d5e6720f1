# mailing-lists.sieve -- sort list traffic into one folder per list.
require ["fileinto", "variables", "mailbox"];

# Debian, Mailman 3, Google Groups: List-Id: Some Name <name.lists.example.org>
if header :matches "List-Id" "*<*.*>*" {
    set :lower "listname" "${2}";
    fileinto :create "Lists.${listname}";
    stop;
}

# Older Mailman 2 installations only add X-BeenThere.
if header :matches "X-BeenThere" "*@*" {
    set :lower "listname" "${1}";
    fileinto :create "Lists.${listname}";
    stop;
}

# Some lists are only recognisable by their Mailing-List header (ezmlm).
if header :matches "Mailing-List" "contact *-help@*; run by ezmlm" {
    set :lower "listname" "${1}";
    fileinto :create "Lists.${listname}";
    stop;
}

# Announcement lists are read rarely; keep them apart from discussion.
if anyof (header :contains "List-Post" "NO",
          header :is "Precedence" "list",
          exists "List-Unsubscribe") {
    if header :contains "Subject" ["[ANNOUNCE]", "[SECURITY]"] {
        fileinto "Lists.announce";
        stop;
    }
}
