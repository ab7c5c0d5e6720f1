# international-folders.sieve -- UTF-8 folder names and a bilingual
# vacation message for a user in Germany working with a team in Japan.
require ["fileinto", "mailbox", "vacation", "variables"];

# German customers: "Kunden/Anfragen" and the accounting folder.
if header :contains "Subject" ["Anfrage", "Bestellung"] {
    fileinto :create "Kunden/Anfragen";
    stop;
}
if header :contains "Subject" ["Rechnung", "Mahnung", "Überweisung"] {
    fileinto :create "Buchhaltung/Rechnungen (Lieferanten)";
    stop;
}

# Mail from the Tokyo office: 東京オフィス, with its own folder for reports.
if address :domain :is "From" "tokyo.example.co.jp" {
    if header :contains "Subject" ["週報", "月報"] {
        fileinto :create "東京オフィス/報告書";
    } else {
        fileinto :create "東京オフィス";
    }
    stop;
}

# Newsletters in any language go to "Newsletter & Rundbriefe".
if header :contains "Subject" ["Newsletter", "ニュースレター", "Rundbrief"] {
    fileinto :create "Newsletter & Rundbriefe";
    stop;
}

vacation :days 5
         :subject "Abwesenheitsnotiz / 不在通知"
         :from "Jürgen Müller <juergen.mueller@example.de>"
text:
Guten Tag,

ich bin bis zum 2. September nicht im Büro. In dringenden Fällen
wenden Sie sich bitte an Frau Schäfer (schaefer@example.de).

いつもお世話になっております。
9月2日まで不在にしております。お急ぎの場合は
シェーファー（schaefer@example.de）までご連絡ください。

Mit freundlichen Grüßen / よろしくお願いいたします。
Jürgen Müller
.
;
