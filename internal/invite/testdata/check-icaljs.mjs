// Cross-check iCalendar files written by atelier with ical.js, the parser
// of Thunderbird and Nextcloud Calendar.
//
// Usage: node check-icaljs.mjs MANIFEST.json
//
// The manifest (written by crosscheck_test.go) lists files and what a
// reader must see in them; see .ci/check-ics.py for its fields. Each file
// is parsed with ICAL.parse. A calendar must hold at least one component;
// an invite (with METHOD) exactly one VEVENT. Every VEVENT must have UID,
// SEQUENCE, DTSTAMP, DTSTART and DTEND in UTC, a mailto: ORGANIZER and
// ATTENDEE with PARTSTAT=NEEDS-ACTION and RSVP only where the manifest
// asks; names are compared after ical.js's RFC 6868 decoding.
// REFRESH-INTERVAL must parse as a duration (it does only with
// VALUE=DURATION), and every VTIMEZONE, loaded into ical.js's own
// timezone engine, must give the sampled UTC offsets. Exits 1 listing
// every problem.
import { readFileSync } from "node:fs";

// Installed next to this script by npm ci (package-lock.json pins it).
import ICAL from "./node_modules/ical.js/dist/ical.js";

function checkRaw(raw, errs) {
  if (!raw.endsWith("\r\n")) errs.push("does not end with CRLF");
  const lines = raw.slice(0, -2).split("\r\n");
  lines.forEach((line, i) => {
    const n = Buffer.byteLength(line, "utf8");
    if (n > 75) errs.push(`line ${i + 1} is ${n} octets`);
    if (/[\r\n]/.test(line)) errs.push(`line ${i + 1} has a bare CR or LF`);
  });
}

function isUTC(prop) {
  const v = prop && prop.getFirstValue();
  return v instanceof ICAL.Time && !v.isDate && v.zone === ICAL.Timezone.utcTimezone;
}

function checkEvent(ev, method, want, errs) {
  const uid = ev.getFirstPropertyValue("uid") || "";
  const where = `VEVENT ${uid || "?"}`;
  if (!uid) errs.push(`${where}: no UID`);
  const seq = ev.getFirstPropertyValue("sequence");
  if (typeof seq !== "number" || seq < 0) errs.push(`${where}: SEQUENCE is ${seq}`);
  for (const name of ["dtstamp", "dtstart", "dtend"]) {
    const p = ev.getFirstProperty(name);
    if (!p) errs.push(`${where}: no ${name.toUpperCase()}`);
    else if (!isUTC(p)) errs.push(`${where}: ${name.toUpperCase()} is not in UTC`);
  }
  const start = ev.getFirstPropertyValue("dtstart");
  const end = ev.getFirstPropertyValue("dtend");
  if (start && end && end.compare(start) <= 0) errs.push(`${where}: DTEND is not after DTSTART`);

  const org = ev.getFirstProperty("organizer");
  if (!org || !String(org.getFirstValue()).toLowerCase().startsWith("mailto:")) {
    errs.push(`${where}: ORGANIZER is not a mailto: URI`);
  }
  const atts = ev.getAllProperties("attendee");
  if (atts.length === 0) errs.push(`${where}: no ATTENDEE`);
  for (const att of atts) {
    if (!String(att.getFirstValue()).toLowerCase().startsWith("mailto:")) {
      errs.push(`${where}: ATTENDEE is not a mailto: URI`);
    }
    if (String(att.getParameter("partstat") || "").toUpperCase() !== "NEEDS-ACTION") {
      errs.push(`${where}: ATTENDEE PARTSTAT is not NEEDS-ACTION`);
    }
    const rsvp = String(att.getParameter("rsvp") || "").toUpperCase();
    if (want.rsvp && rsvp !== "TRUE") errs.push(`${where}: ATTENDEE RSVP is ${JSON.stringify(rsvp)}, want TRUE`);
    if (!want.rsvp && rsvp !== "" && rsvp !== "FALSE") {
      errs.push(`${where}: ATTENDEE asks for a reply (RSVP=${rsvp}) that nothing reads`);
    }
    if (!att.getParameter("cn")) errs.push(`${where}: ATTENDEE has no CN`);
  }
  const people = (want.people || {})[uid];
  if (people) {
    const conf = ev.getFirstProperty("conference");
    const got = {
      organizer: org ? org.getParameter("cn") : null,
      attendee: atts.length ? atts[0].getParameter("cn") : null,
      label: conf ? conf.getParameter("label") : null,
      summary: ev.getFirstPropertyValue("summary"),
      description: ev.getFirstPropertyValue("description"),
    };
    for (const role of ["organizer", "attendee", "label", "summary", "description"]) {
      if (role in people && got[role] !== people[role]) {
        errs.push(`${where}: ${role.toUpperCase()} reads ${JSON.stringify(got[role])}, want ${JSON.stringify(people[role])}`);
      }
    }
  }
  if (!ev.getFirstPropertyValue("summary")) errs.push(`${where}: no SUMMARY`);
  const status = ev.getFirstPropertyValue("status");
  if (method === "CANCEL" && status !== "CANCELLED") errs.push(`${where}: METHOD:CANCEL with STATUS ${status}`);
  if (method === "REQUEST" && status === "CANCELLED") errs.push(`${where}: METHOD:REQUEST with STATUS:CANCELLED`);
}

function checkZones(cal, want, errs) {
  const zones = cal.getAllSubcomponents("vtimezone");
  for (const tz of zones) {
    const tzid = tz.getFirstPropertyValue("tzid");
    if (!tzid) errs.push("VTIMEZONE has no TZID");
    const obs = tz.getAllSubcomponents();
    if (obs.length === 0 || obs.some((o) => o.name !== "standard" && o.name !== "daylight")) {
      errs.push(`VTIMEZONE ${tzid}: want STANDARD and DAYLIGHT observances only, got ${obs.map((o) => o.name)}`);
    }
    for (const o of obs) {
      for (const name of ["dtstart", "tzoffsetfrom", "tzoffsetto"]) {
        if (!o.getFirstProperty(name)) errs.push(`VTIMEZONE ${tzid}: ${o.name} without ${name.toUpperCase()}`);
      }
    }
  }
  if (!want) return;
  const match = zones.filter((z) => z.getFirstPropertyValue("tzid") === want.tzid);
  if (match.length !== 1) {
    errs.push(`want one VTIMEZONE ${want.tzid}, got ${match.length}`);
    return;
  }
  // ical.js resolves local times through a VTIMEZONE (as for an event
  // with TZID); its UTC-to-local conversion reads the UTC time as a local
  // one near a change, so each sample is asked as the local time it shows,
  // where that local time occurs once.
  const zone = new ICAL.Timezone({ component: match[0], tzid: want.tzid });
  let bad = 0;
  let asked = 0;
  for (const [unix, offset, unique] of want.samples) {
    if (!unique) continue;
    asked++;
    const d = new Date((unix + offset) * 1000);
    const local = new ICAL.Time({
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), isDate: false,
    }, zone);
    const got = zone.utcOffset(local);
    if (got !== offset) {
      bad++;
      if (bad <= 5) {
        errs.push(`VTIMEZONE ${want.tzid} at ${new Date(unix * 1000).toISOString()} (local ${local.toString()}): offset ${got}, want ${offset}`);
      }
    }
  }
  if (bad > 5) errs.push(`VTIMEZONE ${want.tzid}: ${bad - 5} more wrong offsets`);
  if (asked === 0) errs.push(`VTIMEZONE ${want.tzid}: no sample to check`);
}

function checkFile(want) {
  const errs = [];
  const raw = readFileSync(want.path, "utf8");
  checkRaw(raw, errs);
  let cal;
  try {
    cal = new ICAL.Component(ICAL.parse(raw));
  } catch (e) {
    return [`does not parse: ${e.message}`];
  }
  if (cal.name !== "vcalendar") errs.push(`top component is ${cal.name}`);
  if (cal.getFirstPropertyValue("version") !== "2.0") errs.push("VERSION is not 2.0");
  if (!cal.getFirstPropertyValue("prodid")) errs.push("no PRODID");
  if (cal.getAllSubcomponents().length === 0) errs.push("calendar has no component (RFC 5545 section 3.6 wants one)");
  const refresh = cal.getFirstProperty("refresh-interval");
  if (refresh && !(refresh.type === "duration" && refresh.getFirstValue() instanceof ICAL.Duration)) {
    errs.push("REFRESH-INTERVAL without VALUE=DURATION (RFC 7986 section 5.7): read as " + refresh.type);
  }
  const method = String(cal.getFirstPropertyValue("method") || "").toUpperCase();
  const events = cal.getAllSubcomponents("vevent");
  if (method) {
    if (method !== "REQUEST" && method !== "CANCEL") errs.push(`unexpected METHOD ${method}`);
    if (events.length !== 1) errs.push(`invite has ${events.length} VEVENTs, want 1`);
  }
  if ("events" in want && events.length !== want.events) errs.push(`${events.length} VEVENTs, want ${want.events}`);
  for (const ev of events) checkEvent(ev, method, want, errs);
  checkZones(cal, want.zone, errs);
  return errs;
}

const args = process.argv.slice(2);
if (args.length !== 1) {
  console.error("usage: node check-icaljs.mjs MANIFEST.json");
  process.exit(2);
}
let failed = false;
for (const want of JSON.parse(readFileSync(args[0], "utf8"))) {
  const errs = checkFile(want);
  if (errs.length) {
    failed = true;
    for (const e of errs) console.error(`${want.path}: ${e}`);
  } else {
    console.log(`${want.path}: ok`);
  }
}
process.exit(failed ? 1 : 0);
