# expect: bad-encoded-character
# Line 6: U+1F600 was written as its two UTF-16 surrogates; D800-DFFF are not
# characters, and RFC 5228 §2.4.2.4 makes that an error. Use ${unicode:1F600}.
require ["encoded-character", "fileinto"];

if header :contains "Subject" "${unicode:D83D DE00}" {
    fileinto "Smileys";
}
