## Chain shapes meant to hide a forgery (analysis::rules, probe::fallback)
ev-chain-oversized = the certificate chain is { $bytes ->
    [unknown] over 64 KiB
   *[other] { $bytes } bytes
} ({ $count } certificates{ $capped ->
    [yes] {", "}more than pinwatch reads: only its start was judged
   *[no] {""}
}), far larger than any genuine chain and over the 64 KiB TLS libraries accept: a shape meant to make checkers give up
ev-fallback-read = the TLS library refused this handshake, so pinwatch read the chain itself ({ $version }, in the clear): what it shows is judged, but the server is not shown to hold the certificate's private key
ev-fallback-failed = the TLS library refused this handshake, and pinwatch's own reading of the chain got none: { $detail }
