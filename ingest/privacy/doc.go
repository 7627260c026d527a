// Package privacy protects the personal data of hotline callers: the name,
// phone and e-mail a caller gives are masked (138****1234) in every record
// that leaves intake, and the originals are sealed with AES-GCM under a key
// from the configuration. A sealed original can be read only through an
// authorized endpoint, and every read writes an audit record first.
//
// # Free text
//
// MaskText masks what callers write into free text, MaskURL the same in
// the parts of a URL, and HasPersonalData reports whether a text holds any
// of it. A hand-written scanner reads the text once; testdata/masking.txt
// lists the cases it is tested on. It finds:
//
//   - Chinese mobiles, 1[3-9] and 9 more digits, in one run or in groups of
//     three or more (138 1234 5678, 138-1234-5678), after +86, 86 or 0086
//     (+86 138…, (+86) 138…): 138****5678, +86 138 **** 5678.
//   - Chinese landlines with their area code, 0 and 2 or 3 digits then 7 or
//     8: 010-12345678, (021) 1234 5678, 0755-1234567, 02112345678, and
//     after +86 without the 0 (+86 10 1234 5678). The area code stays:
//     010-****5678.
//   - Resident ID numbers, 18 digits, the last maybe X or x, in one run or
//     in groups of three or more, whose birth date is plausible (19xx or
//     20xx, month 01–12, day 01–31); the check digit is not verified:
//     110101********1234.
//   - North American numbers, NXX NXX XXXX: 2125550123, 212-555-0123,
//     212.555.0123, (212) 555-0123, 1-800-555-0199, +1 212 555 0123:
//     212-***-0123.
//   - Any other number written with + (E.164, 8 to 15 digits): +44 20 7946
//     0958 -> +44 ** **** 0958; and after 00 in groups (0044 20 7946 0958).
//   - Payment cards, 13 to 19 digits that pass the Luhn check, in one run or
//     in card groups (4 4 4 4, 4 6 5, 4 6 4, 6 13): **** **** **** 1111.
//   - E-mail addresses, a local part of ASCII letters, digits and ._%+-, an
//     @ or full-width ＠, and a domain whose last label is two or more
//     letters: z***@example.com.
//
// Digits may be ASCII or full-width (０-９); groups may be separated by one
// space, -, ., no-break space, ideographic space or full-width hyphen; + and
// brackets may be full-width. Several numbers in one text are each found,
// whatever separates them (a comma, a slash, 、 or a space). Each masked
// digit becomes one *, and everything else stays as written. A URL's parts
// are read with percent-escapes decoded.
//
// It does not find:
//
//   - local landlines without an area code (8765 4321), short numbers (110,
//     12345, 95588) and extensions as such (the number before 转 is found);
//   - card numbers that fail the Luhn check, 15-digit (old) ID numbers, IDs
//     with an impossible birth date, and passport or licence numbers;
//   - numbers written in words or Chinese numerals (一三八…), digits spaced
//     one by one (1 3 8 …) or in groups of one or two, or with other
//     separators (138_1234_5678, 138,1234,5678, two spaces);
//   - digits glued to Latin letters, other digits or _ (tel13812345678,
//     IMG_13812345678), which are read as identifiers such as H3 cells and
//     file names; a group of seven or fewer digits next to a * (what a mask
//     keeps), so **138 1234 5678** is not found, though **13812345678** is;
//   - e-mail addresses with non-ASCII local parts or domains, or written
//     "at" / "dot";
//   - names, addresses, licence plates and other personal data that is not
//     a number or an e-mail;
//   - in a URL, the host (kept as written) and doubly escaped parts.
//
// Known false positives: any run of 13 to 19 digits that passes the Luhn
// check (one in ten order or waybill numbers of that length); ten digits
// whose first and fourth are 2–9 (read as North American: a serial number
// such as 4403051234); eleven digits starting 13–19 (an amount in fen); 18
// digits with a date in them (a timestamp-based order number); and anything
// written with a + and 8 or more digits.
//
// Masking is idempotent, and an e-mail masked already is not personal
// data.
package privacy
