# Starts an include chain or cycle held by the host (see the case's host.scripts).
require "include";
include "start";
