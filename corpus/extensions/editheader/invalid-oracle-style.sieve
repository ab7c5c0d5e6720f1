# expect: missing-argument
# RFC 5293 addheader takes the name and the value apart, not "Name: value".
require ["editheader"];

addheader "X-Spam-Flag: YES";
