# expect: too-many-arguments
# dialect: oracle
# Oracle's addheader takes one "Name: value" string, not the name and the value apart.
require ["addheader"];

addheader "X-Spam-Flag" "YES";
