# expect: wrong-argument-type, too-many-arguments
# Line 7: fileinto takes one mailbox name, not a list of them.
# Line 10: the folder path was split into two strings.
require "fileinto";

if address :is "From" "invoices@supplier.example.com" {
    fileinto ["Accounting", "Archive"];
}
if header :contains "Subject" "payslip" {
    fileinto "Personal" "Payslips";
}
