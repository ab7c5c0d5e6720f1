# errors: 1
# line 9: '/*' bracket comment is never closed with '*/' (runs to end of file)
require ["fileinto"];

if header :contains "Subject" "[backup]" {
    fileinto "Backups";
}

/* Temporarily disabled while the migration runs:
if header :contains "Subject" "[migration]" {
    fileinto "Migration";
}

keep;
