# Look-alike names (names compared as RFC 5280 compares them) and inert text.
ev-borrows-ca-organization = its certificate authority uses the name of the public certificate authority "{ $name }", but with another key: that CA did not sign this chain
who-borrower = a certificate authority that uses the name of "{ $name }"
roots-borrows-organization = uses the name of the public certificate authority "{ $name }", with a key none of its public roots has: a root of that CA that pinwatch does not know, or one pretending to be it. Find out who installed it.
