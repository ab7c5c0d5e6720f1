# A :matches key with 30 stars against a long Subject: a backtracking glob matcher
# takes exponential time here; ours must stay linear in the value's length.
if header :matches "subject" "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b" {
    discard;
}
if header :matches "subject" "*a?a*a?a*a?a*a?a*a?a*a?a*a?a*a?a*a?a*a?a*c" {
    discard;
}
