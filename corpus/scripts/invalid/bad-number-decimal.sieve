# errors: 1
# line 6: '1.5M' is not a valid number (no decimal point allowed; write 1536K)
require ["fileinto"];

# Large attachments from anybody go to a separate folder.
if size :over 1.5M {
    fileinto "Large";
    stop;
}
keep;
