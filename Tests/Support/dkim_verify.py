#!/usr/bin/python3
"""Verifies every DKIM-Signature of messages with dkimpy (Debian python3-dkim), without DNS.

Usage: dkim_verify.py --key NAME=RECORD [--key ...] FILE.eml...
NAME is <selector>._domainkey.<domain>, RECORD the TXT text (v=DKIM1; k=...; p=...). Prints one line per
signature: "<file>\t<selector>\t<algorithm>\tpass" or "...\tfail\t<reason>", and "<file>\t-\t-\tfail\tno signature"
for a message without one. Exit status 0 when everything printed passed, 1 otherwise.
"""
import argparse
import sys

import dkim


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--key", action="append", default=[], help="NAME=RECORD")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    records = {}
    for entry in args.key:
        name, _, record = entry.partition("=")
        records[name.rstrip(".").lower() + "."] = record.encode("ascii")

    def dnsfunc(name, timeout=5):
        key = name.decode("ascii").lower()
        if not key.endswith("."):
            key += "."
        return records.get(key)

    ok = True
    for path in args.files:
        with open(path, "rb") as handle:
            message = handle.read()
        checker = dkim.DKIM(message)
        count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
        if count == 0:
            print("%s\t-\t-\tfail\tno signature" % path)
            ok = False
        for index in range(count):
            checker = dkim.DKIM(message)
            try:
                passed = checker.verify(idx=index, dnsfunc=dnsfunc)
                reason = "" if passed else "signature did not verify"
            except dkim.DKIMException as error:
                passed, reason = False, str(error)
            fields = checker.signature_fields or {}
            selector = fields.get(b"s", b"?").decode("ascii", "replace")
            algorithm = fields.get(b"a", b"?").decode("ascii", "replace")
            if passed:
                print("%s\t%s\t%s\tpass" % (path, selector, algorithm))
            else:
                print("%s\t%s\t%s\tfail\t%s" % (path, selector, algorithm, reason))
                ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
