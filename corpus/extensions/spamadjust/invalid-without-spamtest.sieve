# expect: missing-dependency
# dialect: oracle
# spamadjust changes the score that spamtest reads: "spamtest" must be required too.
require ["spamadjust"];

if (not exists "Message-ID") {
    spamadjust "+2 no Message-ID";
}
