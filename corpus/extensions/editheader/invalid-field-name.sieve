# expect: bad-header-name, wrong-argument-type
# A field name cannot hold spaces, and :index needs a number.
require ["editheader"];

deleteheader "X Spam Flag";
deleteheader :index "1" "Received";
