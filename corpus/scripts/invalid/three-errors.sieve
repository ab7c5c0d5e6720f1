# errors: 3
# line 9: missing ';' after fileinto (a '}' follows on line 10); line 18: string list opened with '[' is not closed, ';' found instead of ']'; line 28: extra '}' with no open block
require ["fileinto", "envelope", "reject", "imap4flags"];

# --- 1. Monitoring --------------------------------------------------
# Alerts from the monitoring system get their own folder.
if address :domain :is "From" "monitoring.example.com" {
    if header :contains "Subject" ["CRITICAL", "WARNING"] {
        fileinto "Alerts/Active"
    }
    fileinto "Alerts";
    stop;
}

# --- 2. Closed aliases ----------------------------------------------
# Mail to retired aliases is refused with a pointer to the new address.
if envelope :localpart :is "to" ["sales-old", "info-2019"] {
    addflag ["\\Seen", "$Retired";
    reject "This address has been retired; please use info@example.com.";
}

# --- 3. Newsletters -------------------------------------------------
# Everything that carries an unsubscribe header.
if exists "List-Unsubscribe" {
    fileinto "Newsletters";
    stop;
}
}
keep;
