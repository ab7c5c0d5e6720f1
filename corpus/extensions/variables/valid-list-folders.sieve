# valid-list-folders.sieve -- file mailing lists into folders named after the list,
# the names normalised with the set modifiers.
require ["variables", "fileinto"];

# List-Id: Developers <Dev-Team.lists.example.org>
if header :matches "List-Id" "*<*.*>*" {
    set "name" "${2}";

    # Announcement lists share one folder, however their names are written.
    set :upper "shouted" "${name}";
    if string :comparator "i;octet" :is "${shouted}" ["ANNOUNCE", "NEWS"] {
        fileinto "Lists/Announce";
        stop;
    }

    # Replies carry the list name in the subject; it may hold "*" or "?", which
    # :quotewildcard escapes so that :matches takes them literally.
    set :quotewildcard "quoted" "${name}";
    if header :matches "Subject" "Re: [${quoted}] *" {
        fileinto "Lists/Replies";
        stop;
    }

    # Long names (ten characters or more) go to a shared folder.
    set :length "length" "${name}";
    if string :matches "${length}" "??*" {
        fileinto "Lists/Other";
        stop;
    }

    # One style for folder names: "dev-TEAM" -> "Dev-team".
    set :lower :upperfirst "folder" "${name}";
    # The archive keeps the list's spelling with a small first letter: "dev-Team".
    set :lowerfirst "archive" "${name}";
    fileinto "Lists/${folder}";
    fileinto "Archive/${archive}";
}
