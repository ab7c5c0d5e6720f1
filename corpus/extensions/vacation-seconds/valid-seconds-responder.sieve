# valid-seconds-responder.sieve -- a help-desk acknowledgement at most every
# 30 minutes per sender, and one for every ticket reply.
require ["vacation", "vacation-seconds"];

if header :matches "Subject" "*[Ticket #*]*" {
    vacation :seconds 0 :handle "ticket-ack"
             "Your reply was added to the ticket.";
    stop;
}

vacation :seconds 1800
         :subject "We received your message"
         :addresses ["help@example.com"]
         "Thank you. The help desk will answer within one working day.";
