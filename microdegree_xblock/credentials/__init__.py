"""
Verifiable credentials of the micro-degree plugin: Open Badges 2.0 and 3.0, CLR 2.0, PDF certificates.

Everything in this package is built from plain data (``credentials.facts``) and has no access to the database:
``api.py`` gathers the facts, calls these builders, signs in the after-commit task path and stores the exact
signed text. Contexts are bundled (``contexts/``) and served by a document loader that never goes to the network.

Modules:

* ``jsonld``: the bundled-context document loader and RDF canonicalisation (RDFC-1.0 / URDNA2015), strict.
* ``strict``: strict JSON-LD processing: no undefined term, no dropped property, no relative IRI.
* ``keys``: Ed25519 keys, Multikey / multibase encodings.
* ``proofs``: Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite.
* ``statuslist``: Bitstring Status List encoding.
* ``facts``: the plain data the builders take.
* ``evidence``: what an award's evidence says (the value, whose threshold, the rule applied, a recorded condition)
  and the unit of its credits.
* ``criteria``: what a degree requires (groups, nested degrees, capstone) and a recognition's criteria, as text.
* ``ob3``: OpenBadgeCredential, ClrCredential, status list credential, did:web controller document.
* ``ob2``: Open Badges 2.0 hosted verification (Issuer, BadgeClass, Assertion) and baking.
* ``images``, ``qr``, ``pdf``, ``linkedin``: the badge image, QR codes, the PDF certificate, LinkedIn links.
"""
