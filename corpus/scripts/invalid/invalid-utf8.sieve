# errors: 1
# line 7: invalid UTF-8 in a quoted string (Latin-1 byte 0xFC for ü in the folder name)
require ["fileinto"];

# Mail from the office goes to the "Büro" folder (saved in Latin-1 by mistake).
if address :domain :is "From" "buero.example.de" {
    fileinto "B�ro";
    stop;
}
keep;
