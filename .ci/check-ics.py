#!/usr/bin/python3
"""Cross-check iCalendar files written by atelier with an independent parser.

Usage: check-ics.py FILE...

Each file is parsed with python3-icalendar (Debian's package). An invite
(a calendar with METHOD) must hold exactly one VEVENT; a feed (no METHOD)
any number. Every VEVENT must have UID, SEQUENCE, DTSTAMP, DTSTART and
DTEND in UTC, ORGANIZER and ATTENDEE as mailto: URIs; the raw lines must
end in CRLF and be at most 75 octets. Exits 1 listing every problem.
"""
import datetime
import sys

import icalendar


def check_raw(raw, errs):
    if not raw.endswith(b"\r\n"):
        errs.append("does not end with CRLF")
    for n, line in enumerate(raw[:-2].split(b"\r\n"), 1):
        if len(line) > 75:
            errs.append("line %d is %d octets" % (n, len(line)))
        if b"\n" in line or b"\r" in line:
            errs.append("line %d has a bare CR or LF" % n)
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            errs.append("line %d splits a UTF-8 sequence" % n)


def is_utc(value):
    return (isinstance(value, datetime.datetime) and value.tzinfo is not None
            and value.utcoffset() == datetime.timedelta(0))


def check_event(ev, method, errs):
    uid = str(ev.get("UID", ""))
    where = "VEVENT %s" % (uid or "?")
    if not uid:
        errs.append("%s: no UID" % where)
    if "SEQUENCE" not in ev:
        errs.append("%s: no SEQUENCE" % where)
    elif int(ev["SEQUENCE"]) < 0:
        errs.append("%s: negative SEQUENCE" % where)
    for name in ("DTSTAMP", "DTSTART", "DTEND"):
        if name not in ev:
            errs.append("%s: no %s" % (where, name))
            continue
        if "TZID" in ev[name].params:
            errs.append("%s: %s has a TZID" % (where, name))
        if not is_utc(ev.decoded(name)):
            errs.append("%s: %s is not in UTC" % (where, name))
    if "DTSTART" in ev and "DTEND" in ev and ev.decoded("DTEND") <= ev.decoded("DTSTART"):
        errs.append("%s: DTEND is not after DTSTART" % where)
    org = ev.get("ORGANIZER")
    if org is None or not str(org).lower().startswith("mailto:"):
        errs.append("%s: ORGANIZER is not a mailto: URI" % where)
    elif not org.params.get("CN"):
        errs.append("%s: ORGANIZER has no CN" % where)
    atts = ev.get("ATTENDEE")
    if atts is None:
        errs.append("%s: no ATTENDEE" % where)
        atts = []
    elif not isinstance(atts, list):
        atts = [atts]
    for att in atts:
        if not str(att).lower().startswith("mailto:"):
            errs.append("%s: ATTENDEE is not a mailto: URI" % where)
        for param, want in (("RSVP", "TRUE"), ("PARTSTAT", "NEEDS-ACTION")):
            if str(att.params.get(param, "")).upper() != want:
                errs.append("%s: ATTENDEE %s is not %s" % (where, param, want))
        if not att.params.get("CN"):
            errs.append("%s: ATTENDEE has no CN" % where)
    if not str(ev.get("SUMMARY", "")):
        errs.append("%s: no SUMMARY" % where)
    status = str(ev.get("STATUS", ""))
    if method == "CANCEL" and status != "CANCELLED":
        errs.append("%s: METHOD:CANCEL with STATUS %r" % (where, status))
    if method == "REQUEST" and status == "CANCELLED":
        errs.append("%s: METHOD:REQUEST with STATUS:CANCELLED" % where)


def check_file(path):
    errs = []
    with open(path, "rb") as f:
        raw = f.read()
    check_raw(raw, errs)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # the parser raises ValueError and friends
        return ["does not parse: %s" % e]
    if cal.name != "VCALENDAR":
        errs.append("top component is %s" % cal.name)
    if str(cal.get("VERSION", "")) != "2.0":
        errs.append("VERSION is not 2.0")
    if not str(cal.get("PRODID", "")):
        errs.append("no PRODID")
    method = str(cal.get("METHOD", "")).upper()
    events = [c for c in cal.subcomponents if c.name == "VEVENT"]
    if method:
        if method not in ("REQUEST", "CANCEL"):
            errs.append("unexpected METHOD %s" % method)
        if len(events) != 1:
            errs.append("invite has %d VEVENTs, want 1" % len(events))
    for ev in events:
        check_event(ev, method, errs)
    return errs


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        errs = check_file(path)
        if errs:
            failed = True
            for e in errs:
                print("%s: %s" % (path, e), file=sys.stderr)
        else:
            print("%s: ok" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
