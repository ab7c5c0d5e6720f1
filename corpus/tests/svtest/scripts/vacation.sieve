# Answers every sender once a day while Bob is away.
require "vacation";

vacation :days 1 :subject "Away until Monday" "I am away until Monday and will answer then.";
