## Chain shapes meant to hide a forgery (analysis::rules, probe::fallback)
ev-chain-oversized = the certificate chain is { $bytes ->
    [unknown] over 64 KiB
   *[other] { $bytes } bytes
}{ $count ->
    [0] {""}
   *[other] {" "}({ $count } certificates{ $capped ->
        [yes] {", "}more than pinwatch reads: only its start was judged
       *[no] {""}
    })
}, far larger than any genuine chain and over the 64 KiB TLS libraries accept: a shape meant to make checkers give up
ev-fallback-read = the TLS library refused this handshake, so pinwatch read the chain itself ({ $version }, in the clear): what it shows is judged, but the server is not shown to hold the certificate's private key
ev-fallback-failed = the TLS library refused this handshake, and pinwatch's own reading of the chain got none: { $detail }

## A wrong clock (analysis::rules, report::text)
todo-clock = Set this machine's date and time right (the evidence below says what it reads), then check again; until then its certificate checks cannot be trusted either way.
ev-clock-suspect = this machine's clock looks wrong: it says { $now }{ $built ->
    [none] {""}
   *[other] , before this pinwatch was even built ({ $built })
}{ $chain ->
    [valid_then] { $direction ->
        [behind] , and every out-of-date certificate of this otherwise valid chain only becomes valid later
       *[ahead] , and every out-of-date certificate of this otherwise valid chain expired before then
    }. Set the date and time right, then check again: this says nothing against the server
   *[none] . Set the date and time right, then check again
}

## Missing intermediates (analysis::rules, probe::aia)
ev-chain-incomplete = the chain stops at a certificate whose issuer ("{ $issuer }") the server did not send and pinwatch does not know{ $url ->
    [none] {""}, and the certificate names no URL to fetch it from
   *[other] {""}; fetching it from { $url } { $fetch ->
        [none] was not tried
       *[other] gave nothing usable: { $fetch }
    }
}. A server that omits its intermediate looks like this, and so does a forged certificate sent alone: nothing else here shows it forged
ev-issuer-fetched = the server did not send its intermediate certificate; pinwatch fetched it from the address the certificate names ({ $url }) and checked its signature, as browsers do
