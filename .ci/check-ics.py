#!/usr/bin/python3
"""Cross-check iCalendar files written by atelier with an independent parser.

Usage: check-ics.py [--manifest FILE.json] [FILE...]

Each file is parsed with python3-icalendar (Debian's package). A calendar
must hold at least one component (RFC 5545 §3.6). An invite (a calendar
with METHOD) must hold exactly one VEVENT; a feed (no METHOD) any number.
Every VEVENT must have UID, SEQUENCE, DTSTAMP, DTSTART and DTEND in UTC,
ORGANIZER and ATTENDEE as mailto: URIs, the attendee with
PARTSTAT=NEEDS-ACTION and no RSVP=TRUE (nothing reads replies yet); a
REFRESH-INTERVAL must carry VALUE=DURATION (RFC 7986); every VTIMEZONE
must have a TZID and observances with DTSTART, TZOFFSETFROM and TZOFFSETTO.
The raw lines must end in CRLF and be at most 75 octets.

The manifest (written by internal/invite/crosscheck_test.go) lists files
with what their content must say: "rsvp" (RSVP=TRUE wanted), "events" (how
many VEVENTs), "people" (per UID, the CN of ORGANIZER and ATTENDEE once
RFC 6868 is applied, as a reader that knows it shows them; optionally the
conference "label", "summary" and "description" as decoded) and "zone" (a
TZID and [unix time, UTC offset, local time unique] samples that the
VTIMEZONE, turned into a tzinfo by icalendar, must reproduce). Exits 1 listing every problem.
"""
import datetime
import json
import re
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


def rfc6868(value):
    """Decodes ^n, ^' and ^^ in a parameter value, as RFC 6868 readers do."""
    return re.sub(r"\^['n^]", lambda m: {"^n": "\n", "^'": '"', "^^": "^"}[m.group(0)], value)


def check_event(ev, method, errs, want=None):
    want = want or {}
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
        if str(att.params.get("PARTSTAT", "")).upper() != "NEEDS-ACTION":
            errs.append("%s: ATTENDEE PARTSTAT is not NEEDS-ACTION" % where)
        rsvp = str(att.params.get("RSVP", "")).upper()
        if want.get("rsvp"):
            if rsvp != "TRUE":
                errs.append("%s: ATTENDEE RSVP is %r, want TRUE" % (where, rsvp))
        elif rsvp not in ("", "FALSE"):
            errs.append("%s: ATTENDEE asks for a reply (RSVP=%s) that nothing reads" % (where, rsvp))
        if not att.params.get("CN"):
            errs.append("%s: ATTENDEE has no CN" % where)
    people = (want.get("people") or {}).get(uid)
    if people:
        got = {"organizer": rfc6868(str(org.params.get("CN", ""))) if org is not None else None,
               "attendee": rfc6868(str(atts[0].params.get("CN", ""))) if atts else None}
        conf = ev.get("CONFERENCE")
        got["label"] = rfc6868(str(conf.params.get("LABEL", ""))) if conf is not None else None
        # The texts a calendar shows (an invite written in Chinese, say):
        # unescaped and unfolded, as the reader decodes them.
        got["summary"] = str(ev.get("SUMMARY", ""))
        got["description"] = str(ev.get("DESCRIPTION", ""))
        for role in ("organizer", "attendee", "label", "summary", "description"):
            if role in people and got[role] != people[role]:
                errs.append("%s: %s reads %r, want %r" % (where, role.upper(), got[role], people[role]))
    if not str(ev.get("SUMMARY", "")):
        errs.append("%s: no SUMMARY" % where)
    status = str(ev.get("STATUS", ""))
    if method == "CANCEL" and status != "CANCELLED":
        errs.append("%s: METHOD:CANCEL with STATUS %r" % (where, status))
    if method == "REQUEST" and status == "CANCELLED":
        errs.append("%s: METHOD:REQUEST with STATUS:CANCELLED" % where)


def check_zone(cal, want, errs):
    zones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
    for tz in zones:
        tzid = str(tz.get("TZID", ""))
        if not tzid:
            errs.append("VTIMEZONE has no TZID")
        obs = [c for c in tz.subcomponents if c.name in ("STANDARD", "DAYLIGHT")]
        if not obs or len(obs) != len(tz.subcomponents):
            errs.append("VTIMEZONE %s: want STANDARD and DAYLIGHT observances only, got %s"
                        % (tzid, [c.name for c in tz.subcomponents]))
        for o in obs:
            for name in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
                if name not in o:
                    errs.append("VTIMEZONE %s: %s without %s" % (tzid, o.name, name))
            if "DTSTART" in o and getattr(o.decoded("DTSTART"), "tzinfo", None) is not None:
                errs.append("VTIMEZONE %s: %s DTSTART is not local time" % (tzid, o.name))
    if not want:
        return
    match = [tz for tz in zones if str(tz.get("TZID", "")) == want["tzid"]]
    if len(match) != 1:
        errs.append("want one VTIMEZONE %s, got %d" % (want["tzid"], len(match)))
        return
    try:
        tzinfo = match[0].to_tz()
    except Exception as e:
        errs.append("VTIMEZONE %s does not convert: %s" % (want["tzid"], e))
        return
    bad = 0
    for unix, offset, _ in want["samples"]:
        at = datetime.datetime.fromtimestamp(unix, datetime.timezone.utc)
        got = at.astimezone(tzinfo).utcoffset().total_seconds()
        if got != offset:
            bad += 1
            if bad <= 5:
                errs.append("VTIMEZONE %s at %s: offset %d, want %d" % (want["tzid"], at.isoformat(), got, offset))
    if bad > 5:
        errs.append("VTIMEZONE %s: %d more wrong offsets" % (want["tzid"], bad - 5))


def check_file(path, want=None):
    want = want or {}
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
    if not cal.subcomponents:
        errs.append("calendar has no component (RFC 5545 section 3.6 wants one)")
    refresh = cal.get("REFRESH-INTERVAL")
    if refresh is not None and str(refresh.params.get("VALUE", "")).upper() != "DURATION":
        errs.append("REFRESH-INTERVAL without VALUE=DURATION (RFC 7986 section 5.7)")
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
    if "events" in want and len(events) != want["events"]:
        errs.append("%d VEVENTs, want %d" % (len(events), want["events"]))
    for ev in events:
        check_event(ev, method, errs, want)
    check_zone(cal, want.get("zone"), errs)
    return errs


def main(args):
    todo = []
    if len(args) >= 2 and args[0] == "--manifest":
        with open(args[1], encoding="utf-8") as f:
            todo = [(e["path"], e) for e in json.load(f)]
        args = args[2:]
    todo += [(path, None) for path in args]
    if not todo:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = False
    for path, want in todo:
        errs = check_file(path, want)
        if errs:
            failed = True
            for e in errs:
                print("%s: %s" % (path, e), file=sys.stderr)
        else:
            print("%s: ok" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
